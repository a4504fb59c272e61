"""What a link to a page says when it is pasted somewhere: the Open Graph
and Twitter card tags that KakaoTalk, Slack, Facebook and browsers read
(``ShareCard``, rendered by community/partials/social_meta.html).

A community closed to non-members says nothing but its name: no
description, no count, no picture of its content, no gathering's title, as
its own pages show a visitor nothing more (``closed_card``). Every text is
plain, trimmed and escaped by the template; every address is absolute, from
``SITE_URL`` (never the request's Host header)."""

import html
import re
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from community.models import Community

DESCRIPTION_LIMIT = 200
# The drawn picture every link without a cover shows (1200 × 630, the size
# the crawlers ask for).
DEFAULT_IMAGE = "img/share-default.png"
DEFAULT_IMAGE_SIZE = (1200, 630)
LOCALES = {"ko": "ko_KR", "en": "en_US"}


class ShareCard(NamedTuple):
    title: str
    description: str = ""
    url: str = ""
    image: str = ""
    image_size: tuple[int, int] | None = None
    image_alt: str = ""
    kind: str = "website"  # og:type
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    when: str = ""  # starts_at as a reader of the page's language writes it
    # The picture as this site serves it, for showing the card on a page of
    # its own (an address on SITE_URL's host may not be the page's).
    local_image: str = ""

    @property
    def site_name(self) -> str:
        return _("Moim")

    @property
    def locale(self) -> str:
        return LOCALES.get((get_language() or "ko")[:2], "ko_KR")

    @property
    def alternate_locales(self) -> list[str]:
        return [code for code in LOCALES.values() if code != self.locale]

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image else "summary"


def absolute(path: str) -> str:
    """``path`` as an address on this site (an absolute one is kept: a
    picture in an S3 bucket)."""
    if path.startswith(("https://", "http://")):
        return path
    return settings.SITE_URL + path


def default_image() -> str:
    return absolute(static(DEFAULT_IMAGE))


def plain_text(markup: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Rendered HTML (or plain text) as one trimmed line of plain text: the
    tags dropped, entities read, runs of white space made one space."""
    text = html.unescape(strip_tags(markup or ""))
    text = re.sub(r"\s+", " ", text).strip()
    return Truncator(text).chars(limit)


def closed_card(community: Community) -> ShareCard:
    """A community closed to non-members, or anything in it: its name."""
    return ShareCard(title=community.name)


def community_card(community: Community, path: str) -> ShareCard:
    """A community's page at ``path``."""
    if not community.public_read:
        return closed_card(community)
    return ShareCard(
        title=community.name,
        description=plain_text(community.description),
        url=absolute(path),
        image=default_image(),
        image_size=DEFAULT_IMAGE_SIZE,
        image_alt=community.name,
        local_image=static(DEFAULT_IMAGE),
    )

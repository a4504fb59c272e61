"""``{% community_social community %}`` and ``{% closed_social community %}``:
the Open Graph and Twitter card tags of a community's pages
(community.sharing)."""

import functools

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from community.models import Community
from community.sharing import ShareCard, closed_card, community_card

register = template.Library()


def render_card(card: ShareCard) -> SafeString:
    """The tags of ``card``, for a page's ``social`` block. What they say
    is made of the card's values, the language (the site's name, the
    locales, the labels) and the time zone (the times) alone: rendered once
    per process for each, and kept (a few hundred at most) under those, so
    no changed value can find an old rendering."""
    return _rendered(card, get_language(), timezone.get_current_timezone_name())


@functools.lru_cache(maxsize=256)
def _rendered(card: ShareCard, _language: str, _zone: str) -> SafeString:
    return render_to_string(
        "community/partials/social_meta.html",
        {"card": card, "when_label": _("When")},
    )


@register.simple_tag(takes_context=True)
def community_social(context, community: Community) -> SafeString:
    request = context.get("request")
    path = request.path if request is not None else ""
    return render_card(community_card(community, path))


@register.simple_tag
def closed_social(community: Community) -> SafeString:
    """A page that refuses its reader: the community's name, nothing more."""
    return render_card(closed_card(community))

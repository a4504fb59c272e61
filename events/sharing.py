"""Sharing a gathering: what its link says when pasted in KakaoTalk, Slack
or a browser (community.sharing.ShareCard), and the QR code of its address
for the share page, drawn here by segno as SVG (nothing is fetched).

The card of a gathering holds only what its public page shows anyone: the
title, the time, the format and the venue, the description; never the
video link. A gathering of a community closed to non-members says nothing
but the community's name."""

import io

import segno
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community import timefmt
from community.display import display_name
from community.images import COVER, image_url
from community.sharing import (
    DEFAULT_IMAGE,
    DEFAULT_IMAGE_SIZE,
    ShareCard,
    absolute,
    closed_card,
    plain_text,
)
from events.models import Gathering, GatheringFormat


def gathering_url(gathering: Gathering) -> str:
    """The gathering page's absolute address: what is shared."""
    return absolute(
        reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])
    )


def _where(gathering: Gathering) -> str:
    if gathering.format == GatheringFormat.ONLINE:
        return _("Online")
    return gathering.venue.strip() or _("Offline")


def gathering_card(gathering: Gathering) -> ShareCard:
    """The card of ``gathering``'s page. Its first line is the time and the
    place, which every crawler shows, then the description."""
    community = gathering.community
    if not community.public_read:
        return closed_card(community)
    when = timefmt.moment(gathering.starts_at)
    lead = f"{when} · {_where(gathering)}"
    body = plain_text(gathering.description_html or gathering.description)
    if gathering.cover:
        large = COVER.widths[-1]
        local, size = image_url(gathering.cover, large), (large, large // 2)
    else:
        local, size = static(DEFAULT_IMAGE), DEFAULT_IMAGE_SIZE
    return ShareCard(
        title=gathering.title,
        description=plain_text(f"{lead} — {body}" if body else lead),
        url=gathering_url(gathering),
        image=absolute(local),
        image_size=size,
        local_image=local,
        image_alt=gathering.title,
        kind="event",
        starts_at=gathering.starts_at,
        ends_at=gathering.ends_at,
        when=when,
    )


def qr_svg(url: str) -> str:
    """``url`` as a QR code, an SVG document that scales to its box (a
    quiet zone of four modules, as scanners need; dark on white whatever
    the page's colours)."""
    code = segno.make_qr(url, error="m")
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=1,
        border=4,
        dark="#111",
        light="#fff",
        xmldecl=False,
        svgns=True,
        omitsize=True,
        title=_("QR code of the gathering's address"),
        svgclass="qr",
        lineclass=None,
        nl=False,
    )
    return out.getvalue().decode()


def path_url(member) -> str:
    """A member's path page's absolute address."""
    return absolute(reverse("member_path", args=[member.public_id]))


def path_card(member, public_items: list, skills: list) -> ShareCard:
    """The card of ``member``'s path page, from what a signed-out visitor
    sees of it (``public_items``, and the ``skills`` of the experiences
    among them): the name the member is shown by, their latest experience,
    how many experiences and gatherings, the skills. A path with nothing
    public says only what a path is, not whose."""
    if not public_items:
        return ShareCard(
            title=_("A path on Moim"),
            description=_(
                "Experiences and gatherings, and what was learned from each."
            ),
            image=absolute(static(DEFAULT_IMAGE)),
            image_size=DEFAULT_IMAGE_SIZE,
            image_alt=_("Moim"),
            local_image=static(DEFAULT_IMAGE),
        )
    name = display_name(member)
    experiences = [item for item in public_items if item.experience is not None]
    gatherings = {
        item.gathering.pk for item in public_items if item.gathering is not None
    }
    parts = []
    if experiences:
        latest = max(experiences, key=lambda item: item.when).experience
        parts.append(
            f"{latest.title} · {latest.organisation}"
            if latest.organisation
            else latest.title
        )
    counts = []
    if experiences:
        counts.append(
            ngettext("%(count)s experience", "%(count)s experiences", len(experiences))
            % {"count": len(experiences)}
        )
    if gatherings:
        counts.append(
            ngettext("%(count)s gathering", "%(count)s gatherings", len(gatherings))
            % {"count": len(gatherings)}
        )
    if counts:
        parts.append(", ".join(counts))
    if skills:
        parts.append(", ".join(s.skill.label for s in skills[:6]))
    title = _("%(name)s's path") % {"name": name}
    return ShareCard(
        title=title,
        description=plain_text(" · ".join(parts)),
        url=path_url(member),
        image=absolute(static(DEFAULT_IMAGE)),
        image_size=DEFAULT_IMAGE_SIZE,
        image_alt=title,
        local_image=static(DEFAULT_IMAGE),
        kind="profile",
    )

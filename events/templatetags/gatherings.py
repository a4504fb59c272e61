"""Template tags of the gathering pages: the Google Calendar link and the
chance as a percent."""

from datetime import UTC
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from community.templatetags.share_cards import render_card
from events.models import Gathering, GatheringFormat
from events.sharing import gathering_card

register = template.Library()

GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"


def _utc(when) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@register.simple_tag(takes_context=True)
def google_calendar_url(context, gathering: Gathering) -> str:
    """A Google Calendar "add event" link made of public facts only: title,
    times, venue and the gathering page. Never the video link: attendees
    reach it through their join URL on the gathering page."""
    page = reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])
    request = context.get("request")
    if request is not None:
        page = request.build_absolute_uri(page)
    if gathering.format == GatheringFormat.OFFLINE:
        location = gathering.venue
    else:
        location = _("Online")
    query = {
        "action": "TEMPLATE",
        "text": gathering.title,
        "dates": f"{_utc(gathering.starts_at)}/{_utc(gathering.ends_at)}",
        "details": page,
        "location": location,
        "ctz": "Asia/Seoul",
    }
    return f"{GOOGLE_CALENDAR}?{urlencode(query)}"


@register.filter
def as_percent(chance: float | None) -> str:
    """0.372 → "37%"; a chance that rounds to nothing but is not nothing
    reads "<1%", and one just short of certain "99%"."""
    if chance is None:
        return ""
    percent = chance * 100
    if 0 < percent < 1:
        return "<1%"
    if 99 < percent < 100:
        return "99%"
    return f"{round(percent)}%"


@register.simple_tag
def gathering_social(gathering: Gathering) -> SafeString:
    """The Open Graph and Twitter card tags of ``gathering``'s page
    (events.sharing.gathering_card)."""
    return render_card(gathering_card(gathering))

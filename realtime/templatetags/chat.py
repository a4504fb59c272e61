"""Chat rooms embedded in pages. The page decides who sees a room; the socket
decides again, on connect and for every frame."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.inclusion_tag("realtime/partials/room.html")
def gathering_room(gathering):
    archive = gathering.chat_state == "archive"
    title = _("Chat archive") if archive else _("Live chat")
    # The state is known before the socket says it: an archive shows no
    # presence line from the first paint.
    return {
        "room_key": f"gathering-{gathering.pk}",
        "title": title,
        "state": gathering.chat_state,
    }


@register.inclusion_tag("realtime/partials/room.html")
def community_lounge(community):
    return {"room_key": f"lounge-{community.slug}", "title": _("Lounge")}

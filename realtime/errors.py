"""Refusals of the chat, keyed by code; the consumer sends them as error
frames with the text in the member's language."""

from django.utils.translation import gettext_lazy as _

from community.errors import KeyedError

MESSAGES = {
    "login_required": _("Please sign in to use the chat."),
    "forbidden": _("This chat room is for its attendees and organisers only."),
    "lounge_members_only": _("Join this community to use its lounge."),
    "banned": _("You cannot take part in this community."),
    "not_found": _("This chat room does not exist."),
    "not_open_yet": _("The chat opens at %(time)s."),
    "read_only": _("This chat room is closed; you can still read it."),
    "muted": _("You are muted in this room until %(until)s."),
    "cannot_post": _("%(reason)s"),
    "rate_limited": _(
        "You are sending messages too fast. Please wait %(seconds)s seconds."
    ),
    "empty": _("Please write a message."),
    "too_long": _("A message has at most %(limit)s characters."),
    "frame_too_large": _("This frame is too large."),
    "malformed": _("This frame is not valid JSON of the chat protocol."),
    "unknown_type": _("Unknown frame type: %(type)s."),
    "bad_field": _("The field ‘%(field)s’ is missing or has the wrong type."),
    "moderator_only": _("Only organisers and moderators can do this."),
    "message_not_found": _("There is no such message in this room."),
    "member_not_found": _("There is no such member in this room."),
    "cannot_mute_moderator": _("Organisers and moderators cannot be muted."),
    "bad_duration": _("A mute lasts from 1 minute to 7 days."),
    "server_error": _("Something went wrong on our side. Please try again."),
    "too_many_sockets": _(
        "You have too many pages open at once (at most %(limit)s live "
        "connections). Close some and reload this page."
    ),
}


class RealtimeError(KeyedError):
    messages = MESSAGES

"""Domain errors of the events app, with their texts kept together and keyed
by code. Services raise them; views turn them into messages and statuses."""

from django.utils.translation import gettext_lazy as _

from community.errors import KeyedError

MESSAGES = {
    "not_organiser": _("Only this gathering's organisers can do this."),
    "not_published": _("This gathering is not published yet."),
    "not_open": _("Applications are not open."),
    "not_member": _("Join the community to apply."),
    "banned": _("You cannot take part in this community."),
    "work_unverified": _("This gathering is for members verified at work."),
    "role_mismatch": _("This gathering is for members whose job role is %(role)s."),
    "already_applied": _("You have already applied to this gathering."),
    "motivation_required": _("Please tell the organisers why you want to join."),
    "too_long": _("Your answer is too long (at most %(limit)s characters)."),
    "cannot_withdraw": _("This application can no longer be withdrawn."),
    "no_offer": _("You have no seat offer to answer."),
    "offer_expired": _("Your seat offer has expired."),
    "no_seat": _("All seats are taken."),
    "not_closed": _("The draw can run only after applications close."),
    "already_drawn": _("The draw has already run; its result is final."),
    "not_lottery": _("This gathering gives seats first come, first served."),
    "cannot_cancel": _("A gathering that has ended cannot be cancelled."),
    "cannot_edit": _("This can no longer be changed: %(reason)s"),
    "invalid_times": _("%(problem)s"),
    "cannot_publish": _("Only a draft can be published."),
    "not_attendee": _("Only confirmed attendees can do this."),
    "join_not_released": _("The join link is available from %(time)s."),
    "join_revoked": _("This join link was revoked. Please contact the organisers."),
    "gathering_over": _("This gathering is over."),
}


class EventsError(KeyedError):
    messages = MESSAGES

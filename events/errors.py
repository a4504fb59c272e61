"""Domain errors of the events app, with their texts kept together and keyed
by code. Services raise them; views turn them into messages and statuses."""

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from community.errors import KeyedError

MESSAGES = {
    "not_organiser": _("Only this gathering's organisers can do this."),
    "moderator_only": _("Only this community's moderators can do this."),
    "not_published": _("This gathering is not published yet."),
    "not_open": _("Applications are not open."),
    "not_member": _("Join the community to apply."),
    "banned": _("You cannot take part in this community."),
    "muted": _("You are muted in this community."),
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
    "frozen_list_changed": _(
        "The applications no longer match the list published at the close, so "
        "the draw cannot run. Please contact the site's administrators."
    ),
    "not_lottery": _("This gathering gives seats first come, first served."),
    "cannot_cancel": _("A gathering that has ended cannot be cancelled."),
    "cannot_edit": _("This can no longer be changed: %(reason)s"),
    "invalid_times": _("%(problem)s"),
    "cannot_publish": _("Only a draft can be published."),
    "host_query_invalid": _("Type 1 to 40 characters of a name or nickname."),
    "host_search_rate_limited": _("Too many searches at once. Please wait a moment."),
    "cannot_amend": _(
        "The terms of this gathering can be amended only while applications are open."
    ),
    "amendment_invalid": _("This amendment is not valid: %(problem)s"),
    "cannot_checkin": _("Attendance can be recorded once applications close."),
    "not_attendee": _("Only confirmed attendees can do this."),
    "join_not_released": _("The join link is available from %(time)s."),
    "join_revoked": _("This join link was revoked. Please contact the organisers."),
    "gathering_over": _("This gathering is over."),
    "join_no_link": _("This gathering has no video link."),
    # Check-in at the venue
    "checkin_not_venue": _("Check-in with a code is for gatherings at a venue."),
    "self_checkin_off": _(
        "Self check-in is not on for this gathering. Please see an organiser."
    ),
    "checkin_closed": _("Check-in is open from %(start)s until the gathering ends."),
    "venue_code_wrong": _(
        "That is not the code shown at the venue. Please check it and try again."
    ),
    "checkin_rate_limited": _(
        "Too many tries. Please wait a few minutes, or ask an organiser to "
        "check you in."
    ),
    # The survey
    "survey_not_attendee": _(
        "Only members who attended this gathering can answer its survey."
    ),
    "survey_organiser": _(
        "Organisers do not answer their own gathering's survey: they read its results."
    ),
    "survey_not_open": _("The survey of this gathering is not open."),
    "survey_answered": _("You have already answered this survey."),
    "survey_locked": _(
        "The survey's settings are fixed: the first response has arrived."
    ),
    "survey_rating_required": _("Please rate the gathering from 1 to 5."),
    "survey_invalid_answer": _("One of the answers is not valid: %(question)s"),
    "survey_k_too_low": _(
        "Results need at least %(floor)s responses to keep answers anonymous."
    ),
    "survey_duration": _("A survey stays open from 1 to 30 days."),
    "survey_too_many_questions": _("A survey can have at most %(limit)s questions."),
    "survey_question_invalid": _(
        "A question needs a text, and a choice question two to eight choices."
    ),
    "survey_results_unavailable": _("Results are not available."),
    # The path
    "takeaway_not_attendee": _(
        "Only members who attended this gathering can write a takeaway."
    ),
    "takeaway_too_early": _("You can write your takeaway once the gathering ends."),
    "takeaway_empty": _("Please write what you learned."),
    "followup_none": _("There is no follow-up question for you on this gathering."),
    "followup_answer_unknown": _("Please choose one of the answers."),
    "followup_closed": _("This follow-up question is closed; your answer is kept."),
    "followup_not_member": _(
        "You left this community, so you can no longer answer its follow-up question."
    ),
    "followup_note_too_long": _(
        "Your note is too long (at most %(limit)s characters)."
    ),
    "path_item_unknown": _("This item is not on your path."),
    # Experiences on the path (events.services.experiences)
    "experience_unknown": _("This experience is not on your path."),
    "experience_kind_unknown": _("Please choose what kind of experience this is."),
    "experience_title_empty": _("Please give the experience a title."),
    "experience_month_invalid": _("Please give a month, for example 2024-03."),
    "experience_starts_later": _("An experience starts this month or earlier."),
    "experience_dates": _("An experience ends in the month it starts or later."),
    "experience_skill_unknown": _("Please choose skills from the list."),
    "experience_too_many_skills": _("Choose at most %(limit)s skills."),
    "experience_tag_too_long": _("A tag has at most %(limit)s characters."),
    "experience_too_many_tags": _("Add at most %(limit)s tags."),
    # Credentials (events.services.credentials, events.credentials)
    "credential_not_eligible": _(
        "A credential can be issued only for a gathering you were checked in "
        "at or hosted, once it is over, or for your answer marked helpful."
    ),
    "credential_banned": _(
        "You cannot issue credentials for a community that has banned you."
    ),
    "credential_in_force": _(
        "A credential for this is already in force. Revoke it to issue another."
    ),
    "credential_unknown": _("This credential is not one of yours."),
    "credential_revoked_already": _("This credential was already revoked."),
    "credential_empty": _("Paste a credential or choose its file."),
    "credential_both": _("Paste a credential or choose a file, not both."),
    "credential_too_large": _(
        "This is too large to be a Moim credential (at most 16 KB)."
    ),
    "credential_not_text": _("This file is not a text file."),
    "credential_malformed": _(
        "This is not a credential that can be read. Paste all of it, from the "
        "first character to the last."
    ),
    "credential_unknown_key": _(
        "This credential was not signed with any of this site's published keys."
    ),
    "credential_signature": _(
        "The signature does not match: this credential was changed after it "
        "was issued, or it was not issued here."
    ),
    "credential_not_badge": _("This is not an Open Badge credential."),
    "credential_issuer": _("This credential was not issued by this site."),
    "credential_not_yet_valid": _("This credential is not valid yet."),
    "credential_expired": _("This credential has expired."),
    "credential_status": _(
        "This credential has no entry in this site's list of revoked credentials."
    ),
    # Messages to applicants (events.services.messages)
    "message_video_link": _(
        "This message contains the gathering's video link, and the group you "
        "chose includes people without a confirmed seat. Remove the link, or "
        "write to confirmed attendees only."
    ),
    "message_link_subject": _(
        "The subject may not contain the gathering's video link: it stays in "
        "everyone's notifications. Put the link in the message itself."
    ),
    "message_link_early": _(
        "This message contains the gathering's video link, which is released "
        "at %(time)s. Schedule the message for then or later."
    ),
    "message_time_past": _("Please choose a time that has not passed yet."),
    "message_time_far": _("A message can be scheduled at most %(days)s days ahead."),
    "message_rate_limited": _(
        "You have sent many messages recently. Please try again later."
    ),
    "message_not_scheduled": _(
        "Only a message that has not been sent can be cancelled."
    ),
    "message_empty": _("Please write a subject and a message."),
    # The randomness beacon (events.beacon)
    "beacon_unavailable": _(
        "The randomness beacon could not be reached. The draw waits for its "
        "round; staff can enter the round by hand."
    ),
    "beacon_invalid": _(
        "The beacon round does not verify against drand quicknet's public key."
    ),
    "beacon_round_invalid": _("A beacon round is a whole number from 1."),
    # Repeating a gathering (events.services.series)
    "series_exists": _("This gathering already belongs to a series."),
    "series_no_dates": _("The series would have no other date."),
    "series_bounds": _(
        "A series ends after 2 to %(limit)s gatherings, or on a date within a "
        "year of the first."
    ),
    "series_stopped": _("This series is stopped."),
}

# Why an amendment is refused (the "amendment_invalid" text's %(problem)s),
# keyed like MESSAGES; the terms are named as the amendment form labels them.
AMENDMENT_PROBLEMS = {
    "reason": _("a reason of 1 to 300 characters is required"),
    "no_change": _("it changes nothing"),
    "not_amendable": _("%(term)s cannot be amended"),
    "company_cap": _("%(term)s must be empty or at least 1"),
    "whole_number": _("%(term)s must be a whole number"),
    # The published check of the amended terms (events.draw) refused them;
    # its own texts are the record format's, in English.
    "terms_check": _("the amended terms do not pass the draw's check"),
}
AMENDABLE_TERMS = {
    "capacity": _("Seats"),
    "company_cap": _("Winners per verified company at most"),
    "claim_window_seconds": _("Hours to confirm a seat"),
    "offer_cutoff_seconds": _("No new seat offers, hours before the start"),
}


def _amendment_problem_text(key: str, term: str) -> str:
    text = str(AMENDMENT_PROBLEMS[key])
    if "%(term)s" not in text:
        return text
    return text % {"term": str(AMENDABLE_TERMS.get(term, term))}


# Lazy, like the texts above: read in the language active where the refusal
# is shown, not where it was raised.
_amendment_problem_lazy = lazy(_amendment_problem_text, str)


def amendment_problem(key: str, term: str = "") -> str:
    """The text of an amendment's problem ``key`` (AMENDMENT_PROBLEMS), with
    ``term`` (its name in the terms) named as the amendment form labels it."""
    return _amendment_problem_lazy(key, term)


# The HTTP status of a page refused for each reason (events.decorators, the
# join URL, the survey's pages): 403 when the refusal is about who the member
# is or when they came, 404 for what is not there to show; any code not named
# here is about what was sent (400).
STATUSES = {
    **dict.fromkeys(
        (
            "not_organiser",
            "moderator_only",
            "banned",
            "muted",
            "not_attendee",
            "join_not_released",
            "join_revoked",
            "join_no_link",
            "gathering_over",
            "survey_not_attendee",
            "survey_organiser",
            "survey_not_open",
            "survey_answered",
            "takeaway_not_attendee",
            "takeaway_too_early",
            "followup_none",
            "followup_closed",
            "followup_not_member",
        ),
        403,
    ),
    "survey_results_unavailable": 404,
    "experience_unknown": 404,
    "credential_not_eligible": 404,
    "credential_unknown": 404,
    "credential_banned": 403,
    "message_rate_limited": 429,
    "host_search_rate_limited": 429,
    # Not the member's doing: the draw waits for the beacon.
    "beacon_unavailable": 503,
    "checkin_rate_limited": 429,
}


class EventsError(KeyedError):
    messages = MESSAGES
    statuses = STATUSES


class SealedResponsesUnopenable(Exception):
    """A survey's close found sealed responses that no key of the site opens
    (``SECRET_KEY`` rotated without the old one in ``SECRET_KEY_FALLBACKS``).
    For the operator, not for members: the close is refused and the sealed
    rows are kept until the old key is back (docs/anonymity.md)."""

    def __init__(self, *, survey_id: int, count: int) -> None:
        self.survey_id = survey_id
        self.count = count
        super().__init__(
            f"survey {survey_id}: {count} sealed responses cannot be opened with "
            "SECRET_KEY or SECRET_KEY_FALLBACKS; the close waits, nothing is "
            "deleted. Put the previous SECRET_KEY in SECRET_KEY_FALLBACKS."
        )

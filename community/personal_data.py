"""Everything Moim holds about one member, section by section, for their
data export (``community.services.personal_data``).

A section is one function registered with ``@section``: it reads what one
kind of record holds about the member and returns rows (a list of dicts)
or one dict, of plain values. Adding a kind of record is adding one
function. Never in a section: another member's private data (only what
any member sees of them, e.g. a community's name), or a survey answer,
which Moim cannot tie to anyone (docs/anonymity.md).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.facts import said
from community.images import AVATAR, image_url
from community.models import (
    Bookmark,
    Comment,
    Follow,
    Member,
    Membership,
    NicknameHistory,
    Notification,
    PushSubscription,
    Reaction,
    Report,
    Sanction,
    Thread,
    ThreadRead,
)
from community.preferences import choices_of, digest_frequency

Rows = list[dict[str, Any]] | dict[str, Any]


@dataclass(frozen=True)
class Section:
    key: str
    title: Any  # a lazy translatable text
    read: Callable[[Member], Rows]


SECTIONS: list[Section] = []


def section(key: str, title) -> Callable:
    def register(read: Callable[[Member], Rows]) -> Callable[[Member], Rows]:
        SECTIONS.append(Section(key, title, read))
        return read

    return register


def plain(value: Any) -> Any:
    """A value as JSON holds it: times in Seoul time, ISO 8601."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value


def rows(queryset, *fields: str, **renamed: str) -> list[dict[str, Any]]:
    """``fields`` (and ``renamed``: name → lookup) of each row, as plain
    values."""
    lookups = {**{f: f for f in fields}, **renamed}
    return [
        {name: plain(row[lookup]) for name, lookup in lookups.items()}
        for row in queryset.values(*lookups.values())
    ]


@section("profile", _("Profile"))
def profile(member: Member) -> Rows:
    data = {
        field: plain(getattr(member, field))
        for field in (
            "public_id",
            "email",
            "real_name",
            "nickname",
            "display_mode",
            "role",
            "experience",
            "company",
            "show_company",
            "bio",
            "work_email",
            "work_email_verified_at",
            "language",
            "date_joined",
            "last_login",
        )
    }
    # The picture as stored (re-encoded, without metadata): where to fetch it.
    data["picture"] = (
        image_url(member.avatar, AVATAR.widths[-1]) if member.avatar else None
    )
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        data["email_addresses"] = rows(
            EmailAddress.objects.filter(user=member).order_by("email"),
            "email",
            "verified",
            "primary",
        )
    data["earlier_nicknames"] = rows(
        NicknameHistory.objects.filter(member=member),
        "nickname",
        "used_from",
        "used_until",
    )
    return data


@section("consents", _("Consents"))
def consents(member: Member) -> Rows:
    """Every consent recorded for the member, whatever its columns, once the
    Consent model exists (issue #18)."""
    try:
        model = apps.get_model("community", "Consent")
    except LookupError:
        return []
    fields = [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name != "member"
    ]
    return rows(model.objects.filter(member=member).order_by("pk"), *fields)


@section("notification_settings", _("Notification settings"))
def notification_settings(member: Member) -> Rows:
    """What the member chose to hear about, as every sender reads it
    (community.preferences): each topic on each of its channels, on or
    off (their choice or the default), and how often the digest comes.
    Not the ``email_on_reply``/``email_on_mention`` columns of the member
    row: nothing reads them any more."""
    return {
        "choices": [
            {"topic": topic, "channel": channel, "enabled": enabled}
            for (topic, channel), enabled in choices_of(member).items()
        ],
        "digest_frequency": digest_frequency(member),
        # The devices that receive push notifications: not their endpoint
        # and keys (a bearer address and secrets, of use to nobody else).
        "push_devices": rows(
            PushSubscription.objects.filter(member=member).order_by("created", "pk"),
            "label",
            "created",
            "last_used",
        ),
    }


@section("follow_levels", _("Follow levels"))
def follow_levels(member: Member) -> Rows:
    """The levels the member chose (community.follows); the defaults are
    not stored, so not listed."""
    return rows(
        Follow.objects.filter(member=member).order_by("changed_at", "pk"),
        "level",
        "changed_at",
        community="community__name",
        board="board__name",
        thread="thread__title",
    )


@section("thread_reads", _("Threads read"))
def thread_reads(member: Member) -> Rows:
    """How far the member had read each thread (community.selectors.unread
    counts what is new from it)."""
    return rows(
        ThreadRead.objects.filter(member=member).order_by("read_at", "pk"),
        "last_comment_id",
        "read_at",
        thread="thread__title",
    )


@section("communities", _("Communities"))
def communities(member: Member) -> Rows:
    return rows(
        Membership.objects.filter(member=member).order_by("joined_at"),
        "role",
        "joined_at",
        community="community__name",
    )


@section("threads", _("Threads"))
def threads(member: Member) -> Rows:
    return rows(
        Thread.objects.filter(author=member).order_by("created_at", "pk"),
        "id",
        "title",
        "body",
        "tag",
        "visibility",
        "created_at",
        "edited_at",
        community="community__name",
        board="board__name",
    )


@section("comments", _("Comments"))
def comments(member: Member) -> Rows:
    return rows(
        Comment.objects.filter(author=member).order_by("created_at", "pk"),
        "id",
        "body",
        "visibility",
        "created_at",
        "edited_at",
        thread="thread__title",
    )


@section("reactions", _("Reactions"))
def reactions(member: Member) -> Rows:
    return rows(
        Reaction.objects.filter(member=member).order_by("created_at", "pk"),
        "kind",
        "created_at",
        thread="thread__title",
        comment="comment_id",
    )


@section("bookmarks", _("Bookmarks"))
def bookmarks(member: Member) -> Rows:
    return rows(
        Bookmark.objects.filter(member=member).order_by("created_at", "pk"),
        "created_at",
        thread="thread__title",
    )


@section("applications", _("Applications and outcomes"))
def applications(member: Member) -> Rows:
    from events.models import Application

    return rows(
        Application.objects.filter(member=member).order_by("created_at", "pk"),
        "public_id",
        "status",
        "motivation",
        "answers",
        "rank",
        "waitlist_position",
        "offer_expires_at",
        "confirmed_at",
        "attended",
        "created_at",
        gathering="gathering__title",
        starts_at="gathering__starts_at",
    )


@section("join_urls", _("Use of your join URLs"))
def join_urls(member: Member) -> Rows:
    from events.models import JoinPass

    # What the URL recorded, never the URL: it would still open the call.
    return rows(
        JoinPass.objects.filter(application__member=member).order_by("pk"),
        "first_used_at",
        "use_count",
        "revoked_at",
        gathering="application__gathering__title",
    )


@section("path", _("Path and takeaways"))
def path(member: Member) -> Rows:
    from events.models import Experience, PathItemVisibility, Takeaway
    from events.selectors import experience_data

    return {
        "takeaways": rows(
            Takeaway.objects.filter(member=member).order_by("created_at", "pk"),
            "learned",
            "will_apply",
            "visibility",
            "created_at",
            "updated_at",
            gathering="gathering__title",
        ),
        "experiences": [
            {
                "title": experience.title,
                **experience_data(experience),
                "visibility": experience.visibility,
                "created_at": plain(experience.created_at),
                "updated_at": plain(experience.updated_at),
            }
            for experience in Experience.objects.filter(member=member).order_by(
                "started_on", "pk"
            )
        ],
        "visibility_choices": rows(
            PathItemVisibility.objects.filter(member=member).order_by("pk"),
            "kind",
            "object_id",
            "visibility",
        ),
        "followups": _followups(member),
    }


@section("credentials", _("Credentials you issued"))
def credentials(member: Member) -> Rows:
    """Each with its signed copy, as the member downloads it."""
    from events.selectors.credentials import credential_export

    return credential_export(member=member)


def _followups(member: Member) -> list[dict]:
    """The member's own follow-up answers (whether they applied a
    takeaway), opened from their sealed copies; the organisers' anonymous
    counts are nobody's and are not in it (docs/anonymity.md)."""
    from events.followup_box import followup_unseal
    from events.models import FollowUp

    found = []
    for followup in (
        FollowUp.objects.filter(member=member)
        .select_related("round__gathering")
        .order_by("pk")
    ):
        opened = (
            followup_unseal(
                round_id=followup.round_id, member_id=member.pk, box=followup.box
            )
            if followup.box is not None
            else None
        ) or {}
        found.append(
            {
                "gathering": followup.round.gathering.title,
                "asked_at": plain(followup.round.asked_at),
                "answer": opened.get("answer", ""),
                "note": opened.get("note", ""),
            }
        )
    return found


@section("surveys", _("Surveys you answered"))
def surveys(member: Member) -> Rows:
    """Only that the member answered: the answers are stored apart from
    every member and cannot be found again (docs/anonymity.md)."""
    from events.models import SurveyParticipation

    return rows(
        SurveyParticipation.objects.filter(member=member).order_by("pk"),
        gathering="survey__gathering__title",
    )


@section("notifications", _("Notifications"))
def notifications(member: Member) -> Rows:
    found = rows(
        Notification.objects.filter(recipient=member).order_by("created_at", "pk"),
        "kind",
        "detail",
        "link",
        "created_at",
        "read_at",
        "message",
        "params",
        thread="thread__title",
    )
    for row in found:
        # The sentence, said as the notifications page says it.
        message, params = row.pop("message"), row.pop("params")
        if message:
            row["detail"] = said(message, params)
    return found


@section("chat_messages", _("Chat messages"))
def chat_messages(member: Member) -> Rows:
    from realtime.models import Message

    return rows(
        Message.objects.filter(author=member).order_by("created_at", "pk"),
        "body",
        "created_at",
        "deleted_at",
        gathering="room__gathering__title",
        lounge="room__community__name",
    )


@section("reports", _("Reports you made"))
def reports(member: Member) -> Rows:
    return rows(
        Report.objects.filter(reporter=member).order_by("created_at", "pk"),
        "reason",
        "status",
        "created_at",
        community="community__name",
    )


@section("sanctions", _("Sanctions"))
def sanctions(member: Member) -> Rows:
    # Not who imposed it: that is the moderator's, not the member's.
    return rows(
        Sanction.objects.filter(member=member).order_by("created_at", "pk"),
        "kind",
        "reason",
        "ends_at",
        "lifted_at",
        "created_at",
        community="community__name",
    )


def personal_data(member: Member) -> list[tuple[Section, Rows]]:
    """Every section, in order, with what it holds about ``member``."""
    return [(s, s.read(member)) for s in SECTIONS]

"""Reads for moderators: the report queue, the audit log, the content a
moderation action names, sanctions in force."""

import json
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import timezone

from community.facts import said
from community.models import (
    AuditEntry,
    Comment,
    Community,
    MembershipRole,
    ModerationAction,
    Report,
    ReportStatus,
    Sanction,
    Thread,
    Visibility,
)


def report_queue(*, community: Community, page: int | str = 1) -> Page:
    reports = (
        Report.objects.filter(community=community, status=ReportStatus.OPEN)
        .select_related(
            "reporter",
            "thread",
            "thread__author",
            "comment",
            "comment__author",
            "comment__thread",
        )
        .order_by("created_at")
    )
    return Paginator(reports, 30).get_page(page)


# Actions whose reason is a sentence stored as facts (community.facts), JSON:
# an organiser's message to applicants (events.services.messages).
FACT_ACTIONS = frozenset(
    {
        ModerationAction.MESSAGE,
        ModerationAction.MESSAGE_SENT,
        ModerationAction.MESSAGE_CANCEL,
        ModerationAction.MESSAGE_REFUSED,
    }
)


def _fact_said(reason: str) -> str:
    """A reason stored as facts, said in the reader's language; as stored
    when it is not (e.g. cut short)."""
    try:
        sentence = json.loads(reason)
        return said(sentence["message"], sentence["params"])
    except (ValueError, KeyError, TypeError):
        return reason


def audit_log(*, community: Community, page: int | str = 1) -> Page:
    """A page of the audit log. Each entry carries ``reason_shown``: its
    reason as readers should see it (a role change stores the role's value,
    shown as the role's label in the reader's language)."""
    entries = AuditEntry.objects.filter(community=community).select_related(
        "moderator", "target_member", "thread", "comment", "chat_message__room"
    )
    page_obj = Paginator(entries, 50).get_page(page)
    page_obj.object_list = list(page_obj.object_list)
    for entry in page_obj.object_list:
        entry.reason_shown = entry.reason
        if entry.action in FACT_ACTIONS:
            entry.reason_shown = _fact_said(entry.reason)
        elif entry.action == ModerationAction.ROLE and entry.reason in (
            MembershipRole.values
        ):
            entry.reason_shown = MembershipRole(entry.reason).label
    return page_obj


class ModerationContent(NamedTuple):
    """What a report or a moderation action names: each None when not
    named."""

    thread: Thread | None
    comment: Comment | None
    report: Report | None


def moderation_content(
    *,
    community: Community,
    thread_id: int | None = None,
    comment_id: int | None = None,
    report_id: int | None = None,
    include_hidden: bool,
) -> ModerationContent | None:
    """The thread, comment and report named by id, each only if it belongs to
    ``community``; None when any named id does not (the caller answers 404).
    Hidden or deleted content counts only with ``include_hidden``."""
    visible = Q() if include_hidden else Q(visibility=Visibility.VISIBLE)
    thread = comment = report = None
    if thread_id is not None:
        thread = (
            Thread.objects.filter(visible, pk=thread_id, community=community)
            .select_related("author")
            .first()
        )
        if thread is None:
            return None
    if comment_id is not None:
        comment = (
            Comment.objects.filter(visible, pk=comment_id, thread__community=community)
            .select_related("author", "thread", "thread__author")
            .first()
        )
        if comment is None or (
            not include_hidden and comment.thread.visibility != Visibility.VISIBLE
        ):
            return None
    if report_id is not None:
        report = (
            Report.objects.filter(pk=report_id, community=community)
            .select_related("thread__author", "comment__author", "comment__thread")
            .first()
        )
        if report is None:
            return None
    return ModerationContent(thread, comment, report)


def sanction_list_active(*, community: Community) -> list[Sanction]:
    """Bans and mutes in force, newest first. One query."""
    return list(
        Sanction.objects.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()),
            community=community,
            lifted_at__isnull=True,
        )
        .select_related("member", "created_by")
        .order_by("-created_at", "-pk")
    )


def sanction_get(*, community: Community, sanction_id: int) -> Sanction | None:
    return (
        Sanction.objects.select_related("member")
        .filter(pk=sanction_id, community=community)
        .first()
    )

"""Reports and moderator actions. Every action writes one audit entry and
tells the affected member, in the same transaction."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from community.access import Access, access_for
from community.errors import CommunityError
from community.facts import fact
from community.models import (
    AuditEntry,
    Comment,
    Community,
    Member,
    Membership,
    MembershipRole,
    ModerationAction,
    NotificationKind,
    Report,
    ReportStatus,
    Sanction,
    SanctionKind,
    Thread,
    Visibility,
)
from community.names import label
from community.services.communities import community_leave
from community.services.members import member_standing_lock
from community.services.notifications import notify
from events.services.sanctions import gatherings_ban
from realtime.broadcast import member_sockets_close


def _require_moderator(access: Access) -> Member:
    if not access.is_moderator:
        raise CommunityError("moderator_only")
    return access.member


def _audit(access, action, *, reason="", member=None, thread=None, comment=None):
    AuditEntry.objects.create(
        community=access.community,
        moderator=access.member,
        action=action,
        target_member=member,
        thread=thread,
        comment=comment,
        reason=reason[:300],
    )


def _tell(
    member: Member,
    access: Access,
    notice,
    *,
    thread: Thread | None = None,
    comment: Comment | None = None,
) -> None:
    """Notify ``member`` of a moderator action. The notification stores its
    sentence as facts (community/facts.py), said in the reader's language
    when read: ``notice`` makes them with no language active, so that its
    texts are their source texts."""
    with translation.override(None):
        sentence = notice()
    notify(
        recipients=[member],
        kind=NotificationKind.MODERATION,
        actor=access.member,
        thread=thread,
        comment=comment,
        sentence=sentence,
    )


def _with_reason(sentence: dict, reason: str) -> dict:
    reason = reason.strip()
    if not reason:
        return sentence
    return fact(_("%(sentence)s Reason: %(reason)s"), sentence=sentence, reason=reason)


def _content_notice(action: str, community: Community, comment, reason: str):
    def render() -> dict:
        texts = {
            (ModerationAction.HIDE, False): _(
                "A moderator of %(community)s hid your thread."
            ),
            (ModerationAction.HIDE, True): _(
                "A moderator of %(community)s hid your comment."
            ),
            (ModerationAction.RESTORE, False): _(
                "A moderator of %(community)s restored your thread."
            ),
            (ModerationAction.RESTORE, True): _(
                "A moderator of %(community)s restored your comment."
            ),
        }
        sentence = fact(texts[action, comment is not None], community=label(community))
        return _with_reason(sentence, reason)

    return render


def _sanction_notice(kind: str, community: Community, ends_at, reason: str):
    def render() -> dict:
        params = {"community": label(community)}
        if ends_at is not None:
            params["until"] = ends_at
            texts = {
                SanctionKind.BAN: _(
                    "You are banned from %(community)s until %(until)s."
                ),
                SanctionKind.MUTE: _("You are muted in %(community)s until %(until)s."),
            }
        else:
            texts = {
                SanctionKind.BAN: _("You are banned from %(community)s."),
                SanctionKind.MUTE: _("You are muted in %(community)s."),
            }
        return _with_reason(fact(texts[kind], **params), reason)

    return render


def _lift_notice(kind: str, community: Community):
    def render() -> dict:
        texts = {
            SanctionKind.BAN: _("Your ban from %(community)s was lifted."),
            SanctionKind.MUTE: _("Your mute in %(community)s was lifted."),
        }
        return fact(texts[kind], community=label(community))

    return render


def _role_notice(role: str, community: Community):
    def render() -> dict:
        if role in {MembershipRole.MODERATOR, MembershipRole.OWNER}:
            text = _("You are now a moderator of %(community)s.")
        else:
            text = _("You are no longer a moderator of %(community)s.")
        return fact(text, community=label(community))

    return render


def report_create(
    *,
    access: Access,
    reason: str,
    thread: Thread | None = None,
    comment: Comment | None = None,
) -> Report:
    """A member reports a thread or comment once; it lands in the moderation
    queue of the community."""
    if access.member is None:
        raise CommunityError("login_required")
    if not access.can_read:
        raise CommunityError("not_readable")
    target = {"thread": thread} if comment is None else {"comment": comment}
    with transaction.atomic():
        if Report.objects.filter(
            reporter=access.member, status=ReportStatus.OPEN, **target
        ).exists():
            raise CommunityError("already_reported")
        return Report.objects.create(
            community=access.community,
            reporter=access.member,
            reason=reason.strip()[:500],
            **target,
        )


def _resolve_reports(access: Access, status: str, **target) -> None:
    Report.objects.filter(status=ReportStatus.OPEN, **target).update(
        status=status, resolved_at=timezone.now(), resolved_by=access.member
    )


def content_hide(
    *,
    access: Access,
    reason: str,
    thread: Thread | None = None,
    comment: Comment | None = None,
) -> None:
    """Hide a thread or comment from everyone but moderators; open reports on
    it are closed as actioned and the author is told why."""
    _require_moderator(access)
    item = comment if comment is not None else thread
    target = {"comment": comment} if comment is not None else {"thread": thread}
    with transaction.atomic():
        type(item).objects.filter(pk=item.pk).update(visibility=Visibility.HIDDEN)
        _resolve_reports(access, ReportStatus.ACTIONED, **target)
        _audit(
            access, ModerationAction.HIDE, reason=reason, member=item.author, **target
        )
        _tell(
            item.author,
            access,
            _content_notice(ModerationAction.HIDE, access.community, comment, reason),
            thread=thread or comment.thread,
            comment=comment,
        )


def content_restore(
    *,
    access: Access,
    reason: str = "",
    thread: Thread | None = None,
    comment: Comment | None = None,
) -> None:
    _require_moderator(access)
    item = comment if comment is not None else thread
    target = {"comment": comment} if comment is not None else {"thread": thread}
    with transaction.atomic():
        restored = (
            type(item)
            .objects.filter(pk=item.pk, visibility=Visibility.HIDDEN)
            .update(visibility=Visibility.VISIBLE)
        )
        _audit(
            access,
            ModerationAction.RESTORE,
            reason=reason,
            member=item.author,
            **target,
        )
        if restored:
            _tell(
                item.author,
                access,
                _content_notice(
                    ModerationAction.RESTORE, access.community, comment, reason
                ),
                thread=thread or comment.thread,
                comment=comment,
            )


def report_dismiss(*, access: Access, report: Report) -> None:
    _require_moderator(access)
    if report.community_id != access.community.pk:
        raise CommunityError("moderator_only")
    with transaction.atomic():
        Report.objects.filter(pk=report.pk, status=ReportStatus.OPEN).update(
            status=ReportStatus.DISMISSED,
            resolved_at=timezone.now(),
            resolved_by=access.member,
        )
        _audit(
            access,
            ModerationAction.DISMISS,
            reason=report.reason,
            thread=report.thread,
            comment=report.comment,
        )


def thread_flag_set(
    *, access: Access, thread: Thread, action: str, reason: str = ""
) -> None:
    """Lock, unlock, pin or unpin a thread."""
    _require_moderator(access)
    field, value = {
        ModerationAction.LOCK: ("is_locked", True),
        ModerationAction.UNLOCK: ("is_locked", False),
        ModerationAction.PIN: ("is_pinned", True),
        ModerationAction.UNPIN: ("is_pinned", False),
    }[action]
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(**{field: value})
        _audit(access, action, reason=reason, member=thread.author, thread=thread)


def sanction_impose(
    *,
    access: Access,
    member: Member,
    kind: str,
    reason: str,
    ends_at: datetime | None,
) -> Sanction:
    """Ban (no access) or mute (read only) a member until ``ends_at``. A ban
    also ends the membership, and what the member held in the community's
    gatherings (``events.services.sanctions.gatherings_ban``). Their open
    sockets close after commit. Moderators cannot be sanctioned here."""
    _require_moderator(access)
    if ends_at is not None and ends_at <= timezone.now():
        raise CommunityError("sanction_in_past")
    if (
        member.is_staff
        or Membership.objects.filter(
            community=access.community,
            member=member,
            role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER],
        ).exists()
    ):
        raise CommunityError("cannot_sanction_moderator")
    with transaction.atomic():
        # Before the ban and any gathering's lock: an application or a seat
        # confirmed meanwhile is done before it (and ended by it) or sees it.
        member_standing_lock(member=member)
        sanction = Sanction.objects.create(
            community=access.community,
            member=member,
            kind=kind,
            reason=reason.strip()[:300],
            ends_at=ends_at,
            created_by=access.member,
        )
        if kind == SanctionKind.BAN:
            target_access = access_for(member, access.community)
            if target_access.is_member:
                community_leave(access=target_access)
            # Hosting, applications and seats in the community's gatherings.
            gatherings_ban(member=member, community=access.community, by=access.member)
        action = (
            ModerationAction.BAN if kind == SanctionKind.BAN else ModerationAction.MUTE
        )
        _audit(access, action, reason=reason, member=member)
        _tell(member, access, _sanction_notice(kind, access.community, ends_at, reason))
        member_sockets_close(member_id=member.pk)
    return sanction


def sanction_lift(*, access: Access, sanction: Sanction) -> None:
    _require_moderator(access)
    if sanction.community_id != access.community.pk:
        raise CommunityError("moderator_only")
    with transaction.atomic():
        lifted = Sanction.objects.filter(pk=sanction.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now()
        )
        _audit(access, ModerationAction.LIFT, member=sanction.member)
        member_sockets_close(member_id=sanction.member_id)
        if lifted:
            _tell(
                sanction.member,
                access,
                _lift_notice(sanction.kind, access.community),
            )


def membership_role_set(*, access: Access, member: Member, role: str) -> None:
    """Owners appoint or remove moderators. An owner's own role is not
    changed here (``owner_role_fixed``); ``member`` must belong to the
    community (``not_member``). Locks the membership row."""
    if not access.may_set_roles:
        raise CommunityError("moderator_only")
    if role not in MembershipRole.values:
        raise CommunityError("moderator_only")
    try:
        with transaction.atomic():
            membership = (
                Membership.objects.select_for_update()
                .filter(community=access.community, member=member)
                .first()
            )
            if membership is None:
                raise CommunityError("not_member")
            if membership.role == MembershipRole.OWNER and member != access.member:
                raise CommunityError("owner_role_fixed")
            Membership.objects.filter(pk=membership.pk).update(role=role)
            _audit(access, ModerationAction.ROLE, reason=role, member=member)
            _tell(member, access, _role_notice(role, access.community))
            member_sockets_close(member_id=member.pk)
    except IntegrityError as exc:
        raise CommunityError("not_member") from exc


# What moderation_act accepts, and what each action needs.
CONTENT_ACTIONS = {ModerationAction.HIDE, ModerationAction.RESTORE}
THREAD_ACTIONS = {
    ModerationAction.LOCK,
    ModerationAction.UNLOCK,
    ModerationAction.PIN,
    ModerationAction.UNPIN,
}
QUEUE_ACTIONS = {*CONTENT_ACTIONS, *THREAD_ACTIONS, ModerationAction.DISMISS}


def moderation_act(
    *,
    access: Access,
    action: str,
    reason: str = "",
    thread: Thread | None = None,
    comment: Comment | None = None,
    report: Report | None = None,
) -> None:
    """One moderator action from the queue or a thread page, dispatched to
    the service that does it. A report stands for its content when no thread
    or comment is given. The caller has checked that every object belongs to
    ``access.community``."""
    _require_moderator(access)
    if report is not None and thread is None and comment is None:
        thread, comment = report.thread, report.comment
    if action == ModerationAction.DISMISS:
        if report is None:
            raise CommunityError("moderation_target_missing")
        report_dismiss(access=access, report=report)
    elif action in CONTENT_ACTIONS:
        if thread is None and comment is None:
            raise CommunityError("moderation_target_missing")
        service = content_hide if action == ModerationAction.HIDE else content_restore
        if comment is not None:
            service(access=access, reason=reason, comment=comment)
        else:
            service(access=access, reason=reason, thread=thread)
    elif action in THREAD_ACTIONS:
        if thread is None and comment is not None:
            thread = comment.thread
        if thread is None:
            raise CommunityError("moderation_target_missing")
        thread_flag_set(access=access, thread=thread, action=action, reason=reason)
    else:
        raise CommunityError("moderation_target_missing")

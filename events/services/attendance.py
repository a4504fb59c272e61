"""Personal join URLs (the only way an attendee reaches the video link):
issuing, following and revoking them; and check-in: the organiser's list,
a scanned or typed attendee code, and self check-in with the venue code.
The tokens themselves are ``events.join_tokens`` and
``events.checkin_tokens``."""

import hmac
from datetime import datetime
from typing import NamedTuple

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from community.access import members_banned_from
from community.ids import id_parse
from community.models import Member
from events import checkin_tokens
from events.access import (
    is_attendance_evidence,
    join_refusal,
    self_checkin_refusal,
)
from events.errors import EventsError
from events.join_tokens import join_signature
from events.models import (
    Application,
    ApplicationStatus,
    Checkin,
    CheckinMethod,
    Gathering,
    JoinPass,
    SelfCheckin,
    new_nonce,
)


def join_pass_issue(application: Application) -> JoinPass:
    """A fresh pass for a confirmed seat: a new nonce, so any URL from an
    earlier, revoked pass stays dead."""
    join_pass, _ = JoinPass.objects.update_or_create(
        application=application,
        defaults={"nonce": new_nonce(), "revoked_at": None},
    )
    return join_pass


def join_resolve(*, token: str, member: Member, now: datetime | None = None) -> str:
    """The video link behind a personal join URL, for its own attendee only,
    when ``join_refusal`` allows (from the release time until the end);
    counts every use, and keeps the first one that is attendance evidence
    (``is_attendance_evidence``: not one days before the start, whatever
    the release time). Anything else raises EventsError
    or LookupError (answered as 404, so a guessed token learns nothing)."""
    now = now or timezone.now()
    raw_pk, _, signature = token.partition("-")
    pk = id_parse(raw_pk)
    if pk is None:
        raise LookupError(token)
    join_pass = (
        JoinPass.objects.select_related("application__gathering").filter(pk=pk).first()
    )
    if join_pass is None or not hmac.compare_digest(
        signature, join_signature(join_pass)
    ):
        raise LookupError(token)
    application = join_pass.application
    if application.member_id != member.pk:
        raise LookupError(token)
    application.join_pass = join_pass  # the pass just read, for the rule
    if refusal := join_refusal(application, now):
        raise refusal
    gathering = application.gathering
    evidence = join_pass.first_used_at
    if evidence is None or not is_attendance_evidence(gathering, evidence):
        # An early use stored before the rule gives way to this one.
        evidence = now if is_attendance_evidence(gathering, now) else None
    JoinPass.objects.filter(pk=join_pass.pk).update(
        use_count=F("use_count") + 1, first_used_at=evidence
    )
    return gathering.video_link


def join_revoke(*, application: Application, now: datetime | None = None) -> None:
    """An organiser cuts off one attendee's join URL; their calendar feed
    drops it too (SEQUENCE rises)."""
    with transaction.atomic():
        JoinPass.objects.filter(application=application).update(
            revoked_at=now or timezone.now()
        )
        Application.objects.filter(pk=application.pk).update(sequence=F("sequence") + 1)


def checkin_record(*, gathering: Gathering, attended: dict[int, bool]) -> int:
    """Record attended / no-show per confirmed application id (ids of other
    gatherings are ignored). No-shows lower the member's weight in later
    draws of the community."""
    with transaction.atomic():
        changed = [
            application
            for application in Application.objects.filter(
                gathering=gathering,
                status=ApplicationStatus.CONFIRMED,
                pk__in=list(attended),
            )
            if application.attended != attended[application.pk]
        ]
        for application in changed:
            application.attended = attended[application.pk]
        Application.objects.bulk_update(changed, ["attended"], batch_size=500)
    return len(changed)


class CheckinOutcome:
    """What a scan or a typed code came to (the organiser's page says it in
    words, ``events.views.organise.CHECKIN_OUTCOMES``)."""

    CHECKED_IN = "checked_in"
    ALREADY = "already"
    OTHER_GATHERING = "other_gathering"
    NOT_ATTENDEE = "not_attendee"
    INVALID = "invalid"
    AMBIGUOUS = "ambiguous"


class CheckinResult(NamedTuple):
    outcome: str
    application: Application | None = None


def _mark_attended(
    *, application_id: int, method: str, by: Member | None, now: datetime
) -> bool:
    """Mark one confirmed application attended and record how; False when
    it already was (nothing changes). Runs in its own transaction and locks
    the application's row, so two scans at once record one check-in."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .filter(pk=application_id, status=ApplicationStatus.CONFIRMED)
            .first()
        )
        if application is None or application.attended:
            return False
        Application.objects.filter(pk=application.pk).update(attended=True)
        Checkin.objects.update_or_create(
            application=application,
            defaults={"method": method, "by": by, "checked_in_at": now},
        )
    return True


def _application_by_value(
    *, gathering: Gathering, value: str
) -> tuple[str, Application | None, str]:
    """The application a scanned pass or a typed short code names, with the
    way it was given (``CheckinMethod``), or an outcome that ends the
    check-in."""
    if checkin_tokens.looks_like_code(value):
        typed = checkin_tokens.code_normalise(value)
        matching = [
            pk
            for pk, public_id in Application.objects.filter(
                gathering=gathering
            ).values_list("pk", "public_id")
            if hmac.compare_digest(
                checkin_tokens.attendee_code(
                    gathering_id=gathering.pk, public_id=public_id
                ),
                typed,
            )
        ]
        if len(matching) > 1:
            return CheckinOutcome.AMBIGUOUS, None, CheckinMethod.CODE
        if not matching:
            return CheckinOutcome.INVALID, None, CheckinMethod.CODE
        lookup = {"pk": matching[0]}
        method = CheckinMethod.CODE
    else:
        named = checkin_tokens.attendee_pass_read(value)
        if named is None:
            return CheckinOutcome.INVALID, None, CheckinMethod.SCAN
        gathering_id, public_id = named
        if gathering_id != gathering.pk:
            return CheckinOutcome.OTHER_GATHERING, None, CheckinMethod.SCAN
        lookup = {"public_id": public_id}
        method = CheckinMethod.SCAN
    application = (
        Application.objects.select_related("member")
        .filter(gathering=gathering, **lookup)
        .first()
    )
    if application is None:
        return CheckinOutcome.INVALID, None, method
    return "", application, method


def checkin_scan(
    *,
    gathering: Gathering,
    value: str,
    by: Member,
    now: datetime | None = None,
) -> CheckinResult:
    """An organiser checks an attendee in with the value of their QR code
    or its short code. Only a confirmed seat of this gathering, held by a
    member the community does not ban, is checked in; a second scan changes
    nothing and says so. The caller is an organiser of ``gathering``
    (``organiser_view``); no transaction is needed around the call (the
    write takes its own, with a row lock)."""
    now = now or timezone.now()
    outcome, application, method = _application_by_value(
        gathering=gathering, value=value[:200]
    )
    if application is None:
        return CheckinResult(outcome)
    application.gathering = gathering
    if (
        application.status != ApplicationStatus.CONFIRMED
        or members_banned_from(gathering.community_id)
        .filter(member_id=application.member_id)
        .exists()
    ):
        return CheckinResult(CheckinOutcome.NOT_ATTENDEE, application)
    if not _mark_attended(application_id=application.pk, method=method, by=by, now=now):
        return CheckinResult(CheckinOutcome.ALREADY, application)
    return CheckinResult(CheckinOutcome.CHECKED_IN, application)


def checkin_self(
    *,
    member: Member,
    gathering: Gathering,
    code: str,
    now: datetime | None = None,
) -> bool:
    """``member`` checks in with the code shown at the venue; True when
    this checked them in, False when they already were. Raises EventsError
    when ``self_checkin_refusal`` refuses or the code is wrong (the caller
    limits the tries: ``ACCOUNT_RATE_LIMITS["self_checkin"]``). No
    transaction needed around the call."""
    now = now or timezone.now()
    application = Application.objects.filter(gathering=gathering, member=member).first()
    self_checkin = SelfCheckin.objects.filter(gathering=gathering).first()
    if application is not None:
        application.gathering = gathering
    if refusal := self_checkin_refusal(
        application=application,
        gathering=gathering,
        enabled=self_checkin is not None and self_checkin.enabled,
        now=now,
    ):
        raise refusal
    if not checkin_tokens.venue_code_matches(self_checkin, code):
        raise EventsError("venue_code_wrong")
    return _mark_attended(
        application_id=application.pk, method=CheckinMethod.SELF, by=None, now=now
    )


def self_checkin_set(
    *, gathering: Gathering, enabled: bool | None = None, new_code: bool = False
) -> SelfCheckin:
    """An organiser turns self check-in on or off (``enabled``) or replaces
    the venue code (``new_code``: the old one stops working at once)."""
    self_checkin, _ = SelfCheckin.objects.get_or_create(gathering=gathering)
    if enabled is not None:
        self_checkin.enabled = enabled
    if new_code:
        self_checkin.nonce = new_nonce()
    self_checkin.updated_at = timezone.now()
    self_checkin.save()
    return self_checkin

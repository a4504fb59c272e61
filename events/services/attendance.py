"""Personal join URLs (the only way an attendee reaches the video link):
issuing, following and revoking them; and check-in. The token itself is
``events.join_tokens``."""

import hmac
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from community.ids import id_parse
from community.models import Member
from events.access import is_attendance_evidence, join_refusal
from events.join_tokens import join_signature
from events.models import (
    Application,
    ApplicationStatus,
    Gathering,
    JoinPass,
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

"""Writes to a member's consents: what they agreed to, in which version of
its text, and when (PIPA: consent recorded per purpose). Reads that pages
need live in community.selectors."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from community import legal
from community.mail import mail_member
from community.models import Consent, ConsentEnd, ConsentPurpose, ConsentSource, Member
from events.scheduling import recurring_run, schedule_once

# The document whose version a purpose's consent is recorded against: the
# age confirmation is part of the terms, email news is described in the
# privacy policy.
PURPOSE_DOCUMENT = {
    ConsentPurpose.TERMS: legal.TERMS,
    ConsentPurpose.PRIVACY: legal.PRIVACY,
    ConsentPurpose.AGE: legal.TERMS,
    ConsentPurpose.MARKETING: legal.PRIVACY,
}
# How often consents to email news are reviewed (reminders, lapses).
CONSENT_REVIEW_EVERY = timedelta(days=1)
# Purposes a member may withdraw from without leaving Moim.
OPTIONAL = (ConsentPurpose.MARKETING,)


def _version(purpose: str) -> str:
    return legal.version_current(PURPOSE_DOCUMENT[purpose]).version


def _lock(member: Member) -> None:
    # Serialises a member's consent writes (a double click, two tabs), so
    # that the one-standing-row constraint is never raced into an error.
    Member.objects.select_for_update(no_key=True).filter(pk=member.pk).exists()


def _legal_agreed_save(member: Member) -> None:
    member.legal_agreed = legal.required_key()
    Member.objects.filter(pk=member.pk).update(legal_agreed=member.legal_agreed)


@transaction.atomic
def consents_signup_record(
    *, member: Member, marketing: bool, how: str, now: datetime | None = None
) -> list[Consent]:
    """Record what a new member agreed to at sign-up: the terms, the
    collection and use of personal information and being 14 or older (all
    required, so the form has already refused a sign-up without them), and
    email news if they ticked it; each in the version in force. Runs in the
    transaction that created the member (or its own)."""
    now = now or timezone.now()
    purposes = [ConsentPurpose.TERMS, ConsentPurpose.PRIVACY, ConsentPurpose.AGE]
    if marketing:
        purposes.append(ConsentPurpose.MARKETING)
    rows = Consent.objects.bulk_create(
        Consent(
            member=member,
            purpose=purpose,
            version=_version(purpose),
            given_at=now,
            how=how,
        )
        for purpose in purposes
    )
    _legal_agreed_save(member)
    return rows


def documents_to_agree(*, member: Member) -> list[legal.Version]:
    """The required documents whose version in force ``member`` has not
    agreed to (one query)."""
    agreed = set(
        Consent.objects.filter(
            member=member,
            withdrawn_at__isnull=True,
            purpose__in=[ConsentPurpose.TERMS, ConsentPurpose.PRIVACY],
        ).values_list("purpose", "version")
    )
    current = [legal.version_current(document) for document in legal.DOCUMENTS]
    return [v for v in current if (v.document, v.version) not in agreed]


def age_confirmed(*, member: Member) -> bool:
    """Whether ``member`` ever confirmed being 14 or older (every sign-up
    form asks; an account made on the command line did not)."""
    return Consent.objects.filter(member=member, purpose=ConsentPurpose.AGE).exists()


@transaction.atomic
def consent_required_agree(
    *, member: Member, age: bool = False, now: datetime | None = None
) -> int:
    """A signed-in member agrees to the versions in force of the required
    documents they had not agreed to yet (a new version took effect), and,
    with ``age``, confirms being 14 or older if they never had. Idempotent:
    a second call adds nothing. Returns how many rows it added."""
    _lock(member)
    now = now or timezone.now()
    missing = [(v.document, v.version) for v in documents_to_agree(member=member)]
    if age and not age_confirmed(member=member):
        missing.append((ConsentPurpose.AGE, _version(ConsentPurpose.AGE)))
    Consent.objects.bulk_create(
        Consent(
            member=member,
            purpose=purpose,
            version=version,
            given_at=now,
            how=ConsentSource.RECONSENT,
        )
        for purpose, version in missing
    )
    _legal_agreed_save(member)
    return len(missing)


def _standing(member: Member, purpose: str):
    return Consent.objects.filter(
        member=member, purpose=purpose, withdrawn_at__isnull=True
    )


@transaction.atomic
def consent_marketing_give(
    *, member: Member, how: str = ConsentSource.SETTINGS, now: datetime | None = None
) -> Consent:
    """The member agrees to email news (again). Giving it while it stands
    changes nothing."""
    _lock(member)
    now = now or timezone.now()
    standing = _standing(member, ConsentPurpose.MARKETING).first()
    if standing is not None:
        return standing
    return Consent.objects.create(
        member=member,
        purpose=ConsentPurpose.MARKETING,
        version=_version(ConsentPurpose.MARKETING),
        given_at=now,
        how=how,
    )


@transaction.atomic
def consent_marketing_reconfirm(
    *, member: Member, now: datetime | None = None
) -> Consent:
    """The member confirms, when asked every two years, that they still want
    email news: the standing consent ends as renewed and a new one starts
    now, which the next two years count from. Without a standing consent
    (it lapsed already) this gives it anew."""
    _lock(member)
    now = now or timezone.now()
    ended = _standing(member, ConsentPurpose.MARKETING).update(
        withdrawn_at=now, ended_by=ConsentEnd.RENEWED
    )
    return Consent.objects.create(
        member=member,
        purpose=ConsentPurpose.MARKETING,
        version=_version(ConsentPurpose.MARKETING),
        given_at=now,
        how=ConsentSource.RECONFIRM if ended else ConsentSource.SETTINGS,
    )


@transaction.atomic
def consent_marketing_withdraw(*, member: Member, now: datetime | None = None) -> int:
    """The member withdraws their consent to email news; nothing to withdraw
    changes nothing. Returns how many rows ended."""
    _lock(member)
    return _standing(member, ConsentPurpose.MARKETING).update(
        withdrawn_at=now or timezone.now(), ended_by=ConsentEnd.WITHDRAWN
    )


def consents_marketing_review(*, now: datetime | None = None) -> tuple[int, int]:
    """The two-yearly re-confirmation of email news: a member whose consent
    is older than ``MOIM_MARKETING_CONSENT_DAYS`` less
    ``MOIM_MARKETING_REMINDER_DAYS`` is mailed once, asking to confirm it;
    a consent older than ``MOIM_MARKETING_CONSENT_DAYS`` that was not
    confirmed lapses. Idempotent and safe to run late or twice: a reminder
    is marked sent in the row that triggers it, a lapsed row no longer
    stands. Returns (reminded, lapsed)."""
    now = now or timezone.now()
    term = timedelta(days=settings.MOIM_MARKETING_CONSENT_DAYS)
    ask_from = term - timedelta(days=settings.MOIM_MARKETING_REMINDER_DAYS)
    standing = Consent.objects.filter(
        purpose=ConsentPurpose.MARKETING, withdrawn_at__isnull=True
    )
    lapsed = standing.filter(given_at__lte=now - term).update(
        withdrawn_at=now, ended_by=ConsentEnd.LAPSED
    )
    reminded = 0
    due = standing.filter(
        Q(given_at__lte=now - ask_from),
        reminded_at__isnull=True,
        member__is_active=True,
    ).values_list("pk", flat=True)
    for pk in list(due):
        reminded += _remind(consent_id=pk, now=now, term=term)
    return reminded, lapsed


@transaction.atomic
def _remind(*, consent_id: int, now: datetime, term: timedelta) -> int:
    """Mail one reminder, marking it sent in the same transaction as the
    queued mail, so that two runs cannot both send it."""
    marked = Consent.objects.filter(
        pk=consent_id, withdrawn_at__isnull=True, reminded_at__isnull=True
    ).update(reminded_at=now)
    if not marked:
        return 0
    consent = Consent.objects.select_related("member").get(pk=consent_id)
    member = consent.member
    mail_member(
        to=member.email,
        language=member.language,
        template="community/email/marketing_reconfirm",
        context={
            "member": member,
            "given_at": consent.given_at,
            "lapses_at": consent.given_at + term,
            "settings_url": settings.SITE_URL + reverse("consent_settings"),
        },
    )
    return 1


@task()
def consents_review_task() -> None:
    """The daily review of consents to email news (a reminder before two
    years, a lapse after), then the next day's review queued. Idempotent."""
    recurring_run(
        consents_review_task,
        job=consents_marketing_review,
        plan=consents_review_plan,
        every=CONSENT_REVIEW_EVERY,
    )


def consents_review_plan(*, when: datetime | None = None) -> bool:
    """Queue the review for ``when`` (now) unless one is queued and has not
    run yet. ``manage.py db_worker`` calls it when it starts and every review
    queues the next, so the review recurs daily while a worker runs, and one
    missed while none ran happens when a worker starts again; two workers
    starting at once may queue two, and the next runs queue one again.
    Nothing on a backend that cannot defer (tests run tasks at once);
    ``manage.py consents_review`` runs a review by hand or from cron.
    Returns whether it queued one."""
    return schedule_once(consents_review_task, when or timezone.now())

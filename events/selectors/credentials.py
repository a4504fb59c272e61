"""Reads of credentials: what a member may issue one for, the ones they
issued, the status list, and what the verification page says of a pasted
credential. Each function states its query budget."""

from datetime import datetime
from typing import NamedTuple

from django.urls import reverse
from django.utils import timezone

from community.access import communities_banning
from community.models import Community, Member, Thread
from community.models import Visibility as ThreadVisibility
from events import credentials
from events.access import credential_refusal
from events.errors import EventsError
from events.models import (
    Application,
    ApplicationStatus,
    Credential,
    CredentialKind,
    Gathering,
)
from events.selectors.surveys import AFTER_END


class CredentialItem(NamedTuple):
    """An item of the member's path that a record of Moim's backs."""

    kind: str
    object_id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    community: Community
    url: str


class CredentialRow(NamedTuple):
    id: str
    kind: str
    object_id: int
    title: str
    token: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @property
    def kind_label(self) -> str:
        return CredentialKind(self.kind).label


class CredentialCheck(NamedTuple):
    """What the verification page says of a credential whose signature
    checked out."""

    revoked: bool
    issuer_name: str
    issuer_id: str
    subject_name: str
    subject_id: str
    name: str
    criteria: str
    role: str
    community_name: str
    community_id: str
    starts_at: datetime | None
    ends_at: datetime | None
    valid_from: datetime
    valid_until: datetime
    kid: str


def _attended() -> Application:
    """Attendance from the organisers' check-in: a confirmed seat that
    check-in recorded as attended (a seat nobody checked is not enough)."""
    return Application.objects.filter(
        status=ApplicationStatus.CONFIRMED,
        attended=True,
        gathering__status__in=AFTER_END,
    )


def credential_item(
    *, member: Member, kind: str, object_id: int
) -> CredentialItem | None:
    """The item of ``member``'s path that a credential of ``kind`` would be
    about: a gathering they were checked in at, or hosted, once over; a
    thread whose visible helpful answer they wrote. None when there is no
    such item. One query."""
    if kind == CredentialKind.ATTENDED:
        application = (
            _attended()
            .filter(member=member, gathering_id=object_id)
            .select_related("gathering__community")
            .first()
        )
        return _gathering_item(kind, application.gathering) if application else None
    if kind == CredentialKind.HOSTED:
        gathering = (
            Gathering.objects.filter(hosts=member, pk=object_id, status__in=AFTER_END)
            .select_related("community")
            .first()
        )
        return _gathering_item(kind, gathering) if gathering else None
    if kind == CredentialKind.HELPFUL:
        thread = (
            Thread.objects.filter(
                pk=object_id,
                visibility=ThreadVisibility.VISIBLE,
                helpful_comment__author=member,
                helpful_comment__visibility=ThreadVisibility.VISIBLE,
            )
            .select_related("community", "helpful_comment")
            .first()
        )
        if thread is None:
            return None
        return CredentialItem(
            kind=kind,
            object_id=thread.pk,
            title=thread.title,
            starts_at=thread.helpful_comment.created_at,
            ends_at=None,
            community=thread.community,
            url=reverse("thread_detail", args=[thread.community.slug, thread.pk])
            + f"#comment-{thread.helpful_comment_id}",
        )
    return None


def credential_issue_refusal(
    *, member: Member, item: CredentialItem
) -> EventsError | None:
    """Why ``member`` may not issue a credential of ``item`` now, or None:
    a community that bans them, or a credential of it still in force. Two
    queries."""
    if refusal := credential_refusal(member=member, community_id=item.community.pk):
        return refusal
    if Credential.objects.filter(
        member=member, kind=item.kind, object_id=item.object_id, revoked_at__isnull=True
    ).exists():
        return EventsError("credential_in_force")
    return None


def _gathering_item(kind: str, gathering: Gathering) -> CredentialItem:
    return CredentialItem(
        kind=kind,
        object_id=gathering.pk,
        title=gathering.title,
        starts_at=gathering.starts_at,
        ends_at=gathering.ends_at,
        community=gathering.community,
        url=reverse("gathering_detail", args=[gathering.community.slug, gathering.pk]),
    )


def credentials_issuable(*, member: Member) -> set[tuple[str, int]]:
    """(kind, object id) of every item of ``member``'s path they may issue a
    credential for now: backed by a record, of a community that does not
    ban them, with no credential of theirs in force. Four queries."""
    banning = set(communities_banning(member).values_list("community_id", flat=True))
    found = {
        (CredentialKind.ATTENDED.value, gathering_id)
        for gathering_id, community_id in _attended()
        .filter(member=member)
        .values_list("gathering_id", "gathering__community_id")
        if community_id not in banning
    }
    found |= {
        (CredentialKind.HOSTED.value, pk)
        for pk, community_id in Gathering.objects.filter(
            hosts=member, status__in=AFTER_END
        ).values_list("pk", "community_id")
        if community_id not in banning
    }
    found |= {
        (CredentialKind.HELPFUL.value, pk)
        for pk, community_id in Thread.objects.filter(
            visibility=ThreadVisibility.VISIBLE,
            helpful_comment__author=member,
            helpful_comment__visibility=ThreadVisibility.VISIBLE,
        ).values_list("pk", "community_id")
        if community_id not in banning
    }
    in_force = set(
        Credential.objects.filter(member=member, revoked_at__isnull=True).values_list(
            "kind", "object_id"
        )
    )
    return found - in_force


def member_credentials(*, member: Member) -> list[CredentialRow]:
    """The credentials ``member`` issued, newest first. One query."""
    return [
        CredentialRow(str(row[0]), *row[1:])
        for row in Credential.objects.filter(member=member)
        .order_by("-issued_at", "pk")
        .values_list(
            "id",
            "kind",
            "object_id",
            "title",
            "token",
            "issued_at",
            "expires_at",
            "revoked_at",
        )
    ]


def credential_export(*, member: Member) -> list[dict]:
    """The member's credentials as data, for the path's JSON export and the
    personal-data export: the signed copy with what it is about. One
    query."""
    return [
        {
            "id": f"urn:uuid:{row.id}",
            "kind": row.kind,
            "title": row.title,
            "issued_at": row.issued_at.isoformat(),
            "expires_at": row.expires_at.isoformat(),
            "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
            "jwt": row.token,
        }
        for row in member_credentials(member=member)
    ]


def credential_of(*, member: Member, credential_id) -> Credential | None:
    """``member``'s own credential by its id, or None. One query."""
    return Credential.objects.filter(member=member, pk=credential_id).first()


def keys_url() -> str:
    return credentials.issuer_id().rstrip("/") + reverse("credential_keys")


def status_list_url() -> str:
    return credentials.issuer_id().rstrip("/") + reverse("credential_status_list")


def status_list_revoked() -> set[int]:
    """The status list's set bits: every revoked credential's index. One
    query."""
    return set(
        Credential.objects.filter(revoked_at__isnull=False).values_list(
            "status_index", flat=True
        )
    )


def status_list_token(*, now: datetime | None = None) -> str:
    """The status list credential, signed (a VC-JWT). One query."""
    now = now or timezone.now()
    payload = credentials.status_list_payload(
        url=status_list_url(), revoked=status_list_revoked(), now=now
    )
    return credentials.sign(payload)[0]


def credential_check(*, raw: str, now: datetime | None = None) -> CredentialCheck:
    """Check a pasted credential as any verifier would: the EdDSA signature
    by one of the published keys, the claims (issuer, validity), then its
    bit in the status list as published. CredentialInvalid when it does not
    check out. One query (the status list), none for a malformed input."""
    now = now or timezone.now()
    token = credentials.token_clean(raw)
    header, payload = credentials.verify(token)
    index = credentials.claims_check(
        payload, now=now, status_list_url=status_list_url()
    )
    status = credentials.status_list_payload(
        url=status_list_url(), revoked=status_list_revoked(), now=now
    )
    revoked = credentials.bitstring_bit(
        status["credentialSubject"]["encodedList"], index
    )
    issuer = payload.get("issuer")
    subject = payload.get("credentialSubject")
    if not isinstance(subject, dict) or not isinstance(
        subject.get("achievement"), dict
    ):
        raise credentials.CredentialInvalid("malformed")
    achievement = subject["achievement"]
    creator = achievement.get("creator")
    creator = creator if isinstance(creator, dict) else {}
    criteria = achievement.get("criteria")
    criteria = criteria if isinstance(criteria, dict) else {}
    return CredentialCheck(
        revoked=revoked,
        issuer_name=_text(issuer.get("name") if isinstance(issuer, dict) else ""),
        issuer_id=credentials.issuer_id(),
        subject_name=_text(subject.get("name")),
        subject_id=_text(subject.get("id")),
        name=_text(achievement.get("name")),
        criteria=_text(criteria.get("narrative")),
        role=_text(subject.get("role")),
        community_name=_text(creator.get("name")),
        community_id=_text(creator.get("id")),
        starts_at=credentials.parse_timestamp(subject.get("activityStartDate")),
        ends_at=credentials.parse_timestamp(subject.get("activityEndDate")),
        valid_from=credentials.parse_timestamp(payload["validFrom"]),
        valid_until=credentials.parse_timestamp(payload["validUntil"]),
        kid=str(header.get("kid")),
    )


def _text(value) -> str:
    return value if isinstance(value, str) else ""

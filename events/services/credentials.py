"""Credentials a member issues to themself (docs/path.md): an Open Badge of
one item of their path, signed by the site, carrying only what they chose;
and revoking one, which sets its bit in the status list."""

import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from community.display import display_name
from community.models import Member
from events import credentials
from events.errors import EventsError
from events.models import Credential, CredentialKind
from events.selectors.credentials import (
    CredentialItem,
    credential_issue_refusal,
    credential_item,
    status_list_url,
)

# What a member may choose to include beside the title (always there: it is
# what the credential is about).
INCLUDE_CHOICES = ("date", "community", "role")
# Tries at a free random index before giving up (the list holds 131,072;
# a collision is rare until it fills).
INDEX_TRIES = 20


# The salt that makes the achievement's key this purpose's own: the same
# secret keyed for anything else gives unrelated ids.
ACHIEVEMENT_SALT = "moim.events.credentials.achievement"


def achievement_uuid(*, member: Member, item: CredentialItem) -> uuid.UUID:
    """The achievement's opaque id: an HMAC-SHA256 of the member and the item
    keyed by the site's secret (for this purpose only), truncated into a
    version 8 UUID (RFC 9562, custom). Without the key nobody recovers the
    item from it, however few the kinds and small the numbers; the same for
    every credential this member issues of this item (issued again after a
    revocation, it is the same achievement), but another member's of the
    same item differs, so that two credentials do not tell that their
    holders were at the same gathering. A new ``SECRET_KEY`` gives new ids
    to credentials issued after it; those issued before keep theirs."""
    digest = salted_hmac(
        ACHIEVEMENT_SALT,
        f"{member.pk}/{item.kind}/{item.object_id}",
        algorithm="sha256",
    ).digest()
    number = int.from_bytes(digest[:16], "big")
    number &= ~(0xF000 << 64)  # version 8
    number |= 0x8000 << 64
    number &= ~(0xC000 << 48)  # variant RFC 9562
    number |= 0x8000 << 48
    return uuid.UUID(int=number)


def _criteria(kind: str, role: bool) -> str:
    if not role:
        return _("Recorded by Moim, the community and meetup site.")
    return {
        CredentialKind.ATTENDED: _(
            "Attended the gathering: checked in by its organisers on Moim."
        ),
        CredentialKind.HOSTED: _("Hosted the gathering on Moim."),
        CredentialKind.HELPFUL: _(
            "Wrote the answer that the question's author marked helpful on Moim."
        ),
    }[kind]


def _role(kind: str) -> str:
    return {
        CredentialKind.ATTENDED: _("Attendee"),
        CredentialKind.HOSTED: _("Host"),
        CredentialKind.HELPFUL: _("Answerer"),
    }[kind]


def _payload(
    *,
    member: Member,
    item: CredentialItem,
    include: set[str],
    credential_id: uuid.UUID,
    index: int,
    now: datetime,
) -> dict:
    site = settings.SITE_URL.rstrip("/")
    community = item.community
    return credentials.badge_payload(
        credential_id=f"urn:uuid:{credential_id}",
        subject_id=site + reverse("member_path", args=[member.public_id]),
        subject_name=display_name(member),
        achievement_id=f"urn:uuid:{achievement_uuid(member=member, item=item)}",
        name=item.title,
        criteria=_criteria(item.kind, "role" in include),
        role=_role(item.kind) if "role" in include else "",
        creator=(
            {
                "id": site + reverse("community_detail", args=[community.slug]),
                "name": community.name,
            }
            if "community" in include
            else None
        ),
        start=item.starts_at if "date" in include else None,
        end=item.ends_at if "date" in include else None,
        issued=now,
        status_url=status_list_url(),
        status_index=index,
        issuer_name=_("Moim"),
    )


def credential_issue(
    *,
    member: Member,
    kind: str,
    object_id: int,
    include: set[str] | frozenset[str] = frozenset(INCLUDE_CHOICES),
    now: datetime | None = None,
) -> Credential:
    """Sign and store a credential of ``member``'s item (``kind``,
    ``object_id``) with what ``include`` names, in the active language.
    Refused (EventsError) for an item not backed by a record
    (``credential_item``), or while ``credential_issue_refusal`` refuses: a
    community that bans the member, or a credential of it still in force (a
    partial unique constraint too, so two at once store one)."""
    now = now or timezone.now()
    item = credential_item(member=member, kind=kind, object_id=object_id)
    if item is None:
        raise EventsError("credential_not_eligible")
    include = {choice for choice in include if choice in INCLUDE_CHOICES}
    for _try in range(INDEX_TRIES):
        if refusal := credential_issue_refusal(member=member, item=item):
            raise refusal
        credential_id = uuid.uuid4()
        # Random, not in order: neighbouring bits say nothing of who or when
        # (Bitstring Status List, "Privacy Considerations").
        index = secrets.randbelow(credentials.STATUS_LIST_SIZE)
        payload = _payload(
            member=member,
            item=item,
            include=include,
            credential_id=credential_id,
            index=index,
            now=now,
        )
        token, kid = credentials.sign(payload)
        try:
            with transaction.atomic():
                return Credential.objects.create(
                    id=credential_id,
                    member=member,
                    kind=kind,
                    object_id=object_id,
                    title=item.title[:200],
                    token=token,
                    kid=kid,
                    status_index=index,
                    issued_at=now,
                    expires_at=now + credentials.VALIDITY,
                )
        except IntegrityError:
            # Another credential in force for the item (checked again
            # above), or the index was taken: try another.
            continue
    raise RuntimeError("no free index in the credential status list")


def credential_revoke(
    *, member: Member, credential_id, now: datetime | None = None
) -> Credential:
    """Revoke ``member``'s own credential: its bit in the status list is set
    from now on, for good. Another member's, or an unknown id, is
    ``credential_unknown``; revoking twice is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        credential = (
            Credential.objects.select_for_update()
            .filter(member=member, pk=credential_id)
            .first()
        )
        if credential is None:
            raise EventsError("credential_unknown")
        if credential.revoked_at is not None:
            raise EventsError("credential_revoked_already")
        credential.revoked_at = now
        credential.save(update_fields=["revoked_at"])
    return credential


def credentials_forget(*, member: Member) -> None:
    """When a member leaves Moim: the stored signed copies, which name them,
    are deleted. What they hold stays true and verifiable; each row stays,
    with its index, so that its bit is never given to another credential."""
    Credential.objects.filter(member=member).update(token="", title="")

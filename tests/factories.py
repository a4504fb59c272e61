"""Plain factory functions: each builds one valid row, overridable by keyword.

Emails and nicknames are sequenced so that factories never collide with each
other within a test, whatever order they are called in.
"""

import itertools
import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from community import legal
from community.models import (
    Community,
    Consent,
    ConsentPurpose,
    ConsentSource,
    DisplayMode,
    Member,
)
from community.roles import ExperienceBand, JobRole

PASSWORD = "correct-horse-battery-9"
# The required boxes of the sign-up form (community.forms_consent).
CONSENTS = {"agree_terms": "on", "agree_privacy": "on", "agree_age": "on"}
# A TOTP secret (base32) that tests compute codes from.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


def member_create(*, verified: bool = True, **overrides) -> Member:
    """A member who signed up with ``PASSWORD``; verified and onboarded (a
    job role chosen) unless told otherwise."""
    n = _next()
    fields = {
        "email": f"member{n}@example.org",
        "real_name": f"홍길동{n}",
        "role": JobRole.BACKEND,
        "experience": ExperienceBand.MID,
        "display_mode": DisplayMode.REAL_NAME,
    }
    fields.update(overrides)
    if fields.get("nickname") and "nickname_key" not in fields:
        # Tests that care about normalisation go through nickname_set.
        fields["nickname_key"] = fields["nickname"].casefold()
    password = fields.pop("password", PASSWORD)
    fields.setdefault("legal_agreed", legal.required_key())
    member = Member.objects.create_user(password=password, **fields)
    EmailAddress.objects.create(
        user=member, email=member.email, verified=verified, primary=True
    )
    if member.legal_agreed:
        consents_create(member)
    return member


def consents_create(member: Member) -> None:
    """What a member agreed to at sign-up: the required documents in the
    versions in force (one query)."""
    terms = legal.version_current(legal.TERMS).version
    privacy = legal.version_current(legal.PRIVACY).version
    Consent.objects.bulk_create(
        Consent(member=member, purpose=purpose, version=version, how=how)
        for purpose, version, how in (
            (ConsentPurpose.TERMS, terms, ConsentSource.SIGNUP),
            (ConsentPurpose.PRIVACY, privacy, ConsentSource.SIGNUP),
            (ConsentPurpose.AGE, terms, ConsentSource.SIGNUP),
        )
    )


def community_create(**overrides) -> Community:
    n = _next()
    fields = {
        "name": f"커뮤니티 {n}",
        "slug": f"community-{n}",
        "role": JobRole.BACKEND,
        "description": "",
        "requires_real_names": False,
    }
    fields.update(overrides)
    return Community.objects.create(**fields)


def two_factor_add(member: Member) -> Authenticator:
    """An authenticator app (``TOTP_SECRET``) and recovery codes on the
    member's account, as allauth's set-up leaves them."""
    totp = TOTP.activate(member, TOTP_SECRET).instance
    RecoveryCodes.activate(member)
    return totp


def client_sign_in(client: Client, member: Member) -> Client:
    """``client`` signed in as ``member``, with the records allauth keeps in
    the session: the password confirmed again just now (so pages that ask
    for it again within a few minutes let the member through, as for a
    member who just did), and for a member with an authenticator app, the
    app used at sign-in (which the admin asks of staff)."""
    client.force_login(member)
    now = time.time()
    records = [
        {"method": "password", "at": now, "email": member.email},
        {"method": "password", "at": now, "reauthenticated": True},
    ]
    totp = Authenticator.objects.filter(
        user=member, type=Authenticator.Type.TOTP
    ).first()
    if totp is not None:
        records.append({"method": "mfa", "at": now, "id": totp.pk, "type": "totp"})
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(member.pk)
    session.save()
    return client


def client_signed_in_with_two_factor(client: Client, member: Member) -> Client:
    """``client`` signed in as ``member`` through the authenticator app; the
    member gets one first if they have none."""
    if not Authenticator.objects.filter(
        user=member, type=Authenticator.Type.TOTP
    ).exists():
        two_factor_add(member)
    return client_sign_in(client, member)

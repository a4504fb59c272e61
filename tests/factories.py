"""Plain factory functions: each builds one valid row, overridable by keyword.

Emails and nicknames are sequenced so that factories never collide with each
other within a test, whatever order they are called in.
"""

import itertools

from allauth.account.models import EmailAddress

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

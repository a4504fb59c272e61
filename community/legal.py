"""Moim's legal documents: the terms of service and the privacy policy.

Each version of a document is a pair of templates (Korean, which is
authoritative, and an English translation) under
``community/templates/community/legal/<document>/<version>.<language>.html``
and one entry in ``VERSIONS`` with its effective date. A version takes
effect on its date (Asia/Seoul), so a new one can be published ahead of it,
as Korean law asks (seven days' notice, thirty for a change to a member's
disadvantage); from that day every signed-in member is asked to agree again
(community.middleware.ConsentRequiredMiddleware). The operator's details the
documents name come from settings (``MOIM_OPERATOR``, set through the
environment, see .env.example).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from community.fields import SEOUL

TERMS = "terms"
PRIVACY = "privacy"
DOCUMENTS = (TERMS, PRIVACY)


@dataclass(frozen=True)
class Version:
    document: str
    version: str  # the version id, as consents record it
    effective: date

    def template_name(self, language: str) -> str:
        language = "en" if language == "en" else "ko"
        return f"community/legal/{self.document}/{self.version}.{language}.html"


# Oldest first. A new version: add its two templates and a line here.
VERSIONS: dict[str, tuple[Version, ...]] = {
    TERMS: (Version(TERMS, "2026-12-05", date(2026, 12, 5)),),
    PRIVACY: (Version(PRIVACY, "2026-12-05", date(2026, 12, 5)),),
}


def today() -> date:
    return timezone.now().astimezone(SEOUL).date()


def version_current(document: str, on: date | None = None) -> Version:
    """The version in force on ``on`` (today): the latest whose date has
    come, or the first one if none has yet."""
    versions = VERSIONS[document]
    on = on or today()
    in_force = [v for v in versions if v.effective <= on]
    return in_force[-1] if in_force else versions[0]


def version_upcoming(document: str, on: date | None = None) -> Version | None:
    """A published version that has not taken effect yet, if any."""
    on = on or today()
    later = [v for v in VERSIONS[document] if v.effective > on]
    return later[0] if later else None


def version_get(document: str, version: str) -> Version | None:
    return next((v for v in VERSIONS[document] if v.version == version), None)


def required_key(on: date | None = None) -> str:
    """The versions of the documents every member must have agreed to, as
    one short string; a member row keeps the one it agreed to
    (``Member.legal_agreed``), so checking it costs no query."""
    return " ".join(
        f"{document}:{version_current(document, on).version}" for document in DOCUMENTS
    )


@dataclass(frozen=True)
class Operator:
    """Who runs this Moim, as the documents and PIPA art. 30 name them."""

    name: str
    representative: str
    address: str
    business_number: str
    privacy_officer: str
    privacy_email: str

    @property
    def is_complete(self) -> bool:
        return all(vars(self).values())


def operator() -> Operator:
    return Operator(**settings.MOIM_OPERATOR)

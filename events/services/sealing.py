"""Sealing survey answers while the survey is open (docs/anonymity.md):
each response is padded to one fixed size and encrypted (AES-GCM) under a
key derived from the site's secret, which is not in the database; the close
opens every box. A rotated ``SECRET_KEY`` keeps boxes readable through
``SECRET_KEY_FALLBACKS``; a box no key opens is counted, never dropped."""

import hashlib
import hmac
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from events.errors import EventsError
from events.models import SealedResponse, Survey
from events.questions import TEXT_LIMIT

# Every sealed box holds exactly this many bytes of (padded) answers, so its
# size tells nothing. Seven texts of 1,000 characters fit: at most 4 bytes a
# character in UTF-8 or as a JSON escape (control characters are removed).
SEAL_SIZE = 32 * 1024
NONCE_SIZE = 12


def _key(secret: str, survey: Survey) -> bytes:
    message = f"moim.survey-seal:{survey.pk}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


@sensitive_variables("answers", "plain")
def seal(survey: Survey, answers: dict) -> bytes:
    plain = json.dumps(answers, ensure_ascii=False, separators=(",", ":")).encode()
    if len(plain) > SEAL_SIZE:
        raise EventsError("too_long", limit=TEXT_LIMIT)
    plain = plain.ljust(SEAL_SIZE, b" ")
    nonce = os.urandom(NONCE_SIZE)
    aad = str(survey.pk).encode()
    return nonce + AESGCM(_key(settings.SECRET_KEY, survey)).encrypt(nonce, plain, aad)


def sealed_unopenable_count(survey: Survey) -> int:
    """How many of the survey's sealed responses no key of the site opens:
    not 0 after ``SECRET_KEY`` was rotated without the old key in
    ``SECRET_KEY_FALLBACKS`` (the close then waits). Opens every box."""
    boxes = SealedResponse.objects.filter(survey=survey).values_list("box", flat=True)
    return sum(1 for box in boxes if unseal_or_none(survey)(box) is None)


def unseal(survey: Survey, box: bytes) -> dict:
    """The answers in a sealed box, under the current secret or one of its
    fallbacks (a rotated SECRET_KEY keeps open surveys readable). Raises
    InvalidTag when none opens it."""
    box = bytes(box)
    nonce, sealed = box[:NONCE_SIZE], box[NONCE_SIZE:]
    aad = str(survey.pk).encode()
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        try:
            plain = AESGCM(_key(secret, survey)).decrypt(nonce, sealed, aad)
        except InvalidTag:
            continue
        return json.loads(plain)
    raise InvalidTag


def unseal_or_none(survey: Survey):
    def open_box(box: bytes) -> dict | None:
        try:
            return unseal(survey, box)
        except InvalidTag:
            return None

    return open_box

"""The token of a personal join URL: the pass's id and an HMAC of its
nonce under the site's secret, so a URL names one pass and a new nonce (a
reissued pass) kills every earlier URL. Pure functions: pages, calendars
and reminders build the URL, ``events.services.attendance`` checks it."""

import hashlib
import hmac

from django.conf import settings
from django.urls import reverse

from events.models import JoinPass


def join_signature(join_pass: JoinPass) -> str:
    message = f"moim.join:{join_pass.pk}:{join_pass.nonce}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[
        :32
    ]


def join_token(join_pass: JoinPass) -> str:
    return f"{join_pass.pk}-{join_signature(join_pass)}"


def join_path(join_pass: JoinPass) -> str:
    return reverse("gathering_join", args=[join_token(join_pass)])

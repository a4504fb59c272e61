"""The embedded default prints mail on the console as a person reads it
(community.mail_backends): the subject and body decoded, the links of the
body each on a line of its own, so a newcomer trying `make run` can copy the
verification link."""

import io
import re

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse

from community.mail_backends import ConsoleBackend, mail_as_text
from tests.factories import CONSENTS

CONFIRM_LINK = re.compile(r"^http://testserver/accounts/confirm-email/\S+/$", re.M)


@pytest.fixture
def console(settings):
    """The console backend of the embedded default, writing to a buffer."""
    stream = io.StringIO()
    settings.MAILERS = {
        "default": {
            "BACKEND": "community.mail_backends.ConsoleBackend",
            "OPTIONS": {"stream": stream},
        }
    }
    return stream


def test_the_verification_mail_is_printed_readable_with_its_link_alone_on_a_line(
    client, db, console
):
    client.post(
        reverse("account_signup"),
        {
            "email": "newcomer@example.org",
            "real_name": "김지민",
            "password1": "plum-lantern-orbit-42",
            "password2": "plum-lantern-orbit-42",
            **CONSENTS,
        },
    )

    printed = console.getvalue()
    assert "To: newcomer@example.org" in printed
    assert re.search(r"^Subject: \[모임\] .*[가-힣]", printed, re.M)
    assert CONFIRM_LINK.search(printed)
    assert "base64" not in printed
    assert "=?utf-8?" not in printed.lower()


def test_every_link_of_the_body_is_listed_once_after_it():
    message = EmailMessage(
        subject="[모임] 모임 안내",
        body="링크: https://moim.example/a/?x=1, 다시 https://moim.example/a/?x=1\n"
        "(https://moim.example/b/)",
        to=["a@example.org"],
    )

    text = mail_as_text(message)

    assert text.endswith("Links:\nhttps://moim.example/a/?x=1\nhttps://moim.example/b/")


def test_a_mail_without_links_has_no_links_section():
    message = EmailMessage(subject="제목", body="본문", to=["a@example.org"])

    assert "Links:" not in mail_as_text(message)


def test_each_mail_ends_with_the_separator_line():
    stream = io.StringIO()
    messages = [
        EmailMessage(subject=f"제목 {n}", body="본문", to=["a@example.org"])
        for n in range(2)
    ]

    ConsoleBackend(stream=stream).send_messages(messages)

    assert stream.getvalue().count("\n" + "-" * 79 + "\n") == 2

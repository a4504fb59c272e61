"""The embedded default prints mail on the console as a person reads it
(community.mail_backends): the subject and body decoded, the links of the
body each on a line of its own, so a newcomer trying `make run` can copy the
verification link."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.utils import get_app_template_dirs
from django.urls import reverse

from community.mail import mail_enqueue
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


def test_a_queued_mail_is_printed_as_its_decoded_text_without_its_html_part(
    console,
):
    # Every mail Moim sends goes through the queue (community.mail.mail_enqueue
    # and community.tasks.email_send); its HTML part, if any, is not printed.
    body = (
        "안녕하세요, 김지민 님. 신청하신 모임의 추첨이 끝났어요. 결과는 아래 링크에서 "
        "확인할 수 있어요: https://moim.example/g/42/results/?lang=ko\n"
    )
    message = EmailMultiAlternatives(
        subject="[모임] 추첨 결과가 나왔어요",
        body=body,
        to=["jimin@example.org"],
        cc=["host@example.org"],
    )
    message.attach_alternative("<p>HTML 본문</p>", "text/html")

    mail_enqueue(message)

    printed = console.getvalue()
    assert "Subject: [모임] 추첨 결과가 나왔어요\n" in printed
    assert "To: jimin@example.org\n" in printed
    assert body.splitlines()[0] in printed
    assert re.search(r"^https://moim\.example/g/42/results/\?lang=ko$", printed, re.M)
    assert "HTML 본문" not in printed
    assert "Content-Transfer-Encoding" not in printed
    assert "base64" not in printed


def test_every_mail_template_has_a_text_body_for_the_console():
    # The console prints a mail's text body: a mail written only as HTML
    # (Moim's templates or allauth's) would print nothing a newcomer can read.
    directories = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    directories += [Path(d) for d in get_app_template_dirs("templates")]
    subjects = [
        path
        for directory in directories
        for path in directory.glob("**/email/*_subject.txt")
    ]
    html_only = [
        str(path)
        for directory in directories
        for path in directory.glob("**/email/*_message.html")
        if not path.with_suffix(".txt").exists()
    ]
    without_text = [
        str(path)
        for path in subjects
        if not path.with_name(
            path.name.replace("_subject.txt", "_message.txt")
        ).exists()
    ]

    assert len(subjects) > 20  # Moim's own and allauth's
    assert not html_only
    assert not without_text

"""Work-email verification: a signed, expiring link sent to a company address
gives the "verified at work" badge; free mail and bad links are refused and
write nothing."""

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from community.models import Member
from tests.factories import member_create

WORK_ADDRESS = "jimin.kim@acme.co.kr"
ENGLISH = {"accept-language": "en"}
CONFIRM_LINK = re.compile(r"https?://testserver(/me/work-email/confirm/[^/\s]+/)")


def request_link(client, email=WORK_ADDRESS) -> str:
    """Ask for a confirmation link and return its path, taken from the mail."""
    response = client.post(reverse("work_email"), {"email": email})
    assert response.status_code == 302, response.content.decode()
    (path,) = CONFIRM_LINK.findall(mail.outbox[-1].body)
    return path


def work_fields(member) -> tuple:
    member.refresh_from_db()
    return (member.work_email, member.work_email_pending, member.work_email_verified_at)


@pytest.fixture
def verified_member(client_member, member):
    client_member.post(request_link(client_member))
    member.refresh_from_db()
    assert member.is_work_verified
    return member


# --- Requesting a link -------------------------------------------------------


def test_a_request_sends_one_mail_with_a_confirm_link_to_the_work_address(
    client_member,
):
    client_member.post(reverse("work_email"), {"email": WORK_ADDRESS})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [WORK_ADDRESS]
    assert len(CONFIRM_LINK.findall(mail.outbox[0].body)) == 1


def test_a_request_records_the_address_as_pending_not_verified(client_member, member):
    request_link(client_member)

    assert work_fields(member) == (None, WORK_ADDRESS, None)


@pytest.mark.parametrize(
    "email",
    [
        "jimin@gmail.com",
        "jimin@naver.com",
        "jimin@daum.net",
        "jimin@kakao.com",
        "jimin@hanmail.net",
        "jimin@mail.naver.com",
        "jimin@GMail.COM",
    ],
)
def test_a_free_mail_address_is_refused_clearly_and_nothing_is_written(
    client_member, member, email
):
    response = client_member.post(
        reverse("work_email"), {"email": email}, headers=ENGLISH
    )

    assert response.status_code == 400
    domain = email.rsplit("@", 1)[1].lower()
    assert f"{domain} is a free email service" in response.content.decode()
    assert work_fields(member) == (None, "", None)
    assert mail.outbox == []


def test_a_refused_free_mail_request_keeps_an_earlier_pending_address(
    client_member, member
):
    request_link(client_member)
    mail.outbox.clear()

    client_member.post(reverse("work_email"), {"email": "jimin@gmail.com"})

    assert work_fields(member) == (None, WORK_ADDRESS, None)
    assert mail.outbox == []


def test_the_sign_in_address_is_refused_as_a_work_address(client_member, member):
    response = client_member.post(reverse("work_email"), {"email": member.email})

    assert response.status_code == 400
    assert work_fields(member) == (None, "", None)
    assert mail.outbox == []


# --- Following the link ------------------------------------------------------


def test_opening_the_link_shows_a_confirm_page_without_verifying(client_member, member):
    path = request_link(client_member)

    response = client_member.get(path)

    assert response.status_code == 200
    assert WORK_ADDRESS in response.content.decode()
    assert 'method="post"' in response.content.decode()
    assert work_fields(member) == (None, WORK_ADDRESS, None)


def test_confirming_the_link_by_post_verifies_the_address(client_member, member):
    path = request_link(client_member)

    response = client_member.post(path)

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.work_email == WORK_ADDRESS
    assert member.work_email_pending == ""
    assert member.work_email_verified_at is not None


def test_a_verified_member_has_the_badge_on_the_public_profile(client, verified_member):
    response = client.get(
        reverse("member_detail", args=[verified_member.public_id]), headers=ENGLISH
    )

    assert "Verified at work" in response.content.decode()


def test_an_unverified_member_has_no_badge(client, member):
    response = client.get(
        reverse("member_detail", args=[member.public_id]), headers=ENGLISH
    )

    assert "Verified at work" not in response.content.decode()


def test_a_tampered_link_is_refused_and_nothing_is_written(client_member, member):
    path = request_link(client_member)
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = signing.loads(token, salt="moim.work-email") | {"e": "ceo@acme.co.kr"}
    tampered_token = signing.dumps(forged, salt="not-the-salt")
    flipped_token = token[:-1] + ("A" if token[-1] != "A" else "B")

    for bad in (tampered_token, flipped_token, "garbage"):
        response = client_member.post(reverse("work_email_confirm", args=[bad]))
        assert response.status_code == 400
    assert work_fields(member) == (None, WORK_ADDRESS, None)


def test_an_expired_link_is_refused_and_nothing_is_written(
    client_member, member, settings, monkeypatch
):
    # The link is signed as if it had been requested just over the allowed
    # age ago; only the signature's timestamp travels back in time.
    issued_at = int(time.time()) - settings.MOIM_WORK_EMAIL_LINK_MAX_AGE - 60
    with monkeypatch.context() as past:
        past.setattr(
            signing.TimestampSigner,
            "timestamp",
            lambda self: signing.b62_encode(issued_at),
        )
        path = request_link(client_member)

    response = client_member.post(path, headers=ENGLISH)

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert work_fields(member) == (None, WORK_ADDRESS, None)


def test_a_link_within_its_allowed_age_still_works(
    client_member, member, settings, monkeypatch
):
    issued_at = int(time.time()) - settings.MOIM_WORK_EMAIL_LINK_MAX_AGE + 60
    with monkeypatch.context() as past:
        past.setattr(
            signing.TimestampSigner,
            "timestamp",
            lambda self: signing.b62_encode(issued_at),
        )
        path = request_link(client_member)

    client_member.post(path)

    member.refresh_from_db()
    assert member.is_work_verified


def test_another_members_link_is_refused(client, member):
    client.force_login(member)
    path = request_link(client)
    intruder = member_create()
    client.force_login(intruder)

    response = client.post(path)

    assert response.status_code == 400
    assert work_fields(intruder) == (None, "", None)
    assert work_fields(member) == (None, WORK_ADDRESS, None)


def test_a_link_superseded_by_a_newer_request_is_refused(client_member, member):
    first = request_link(client_member, "jimin@acme.co.kr")
    second = request_link(client_member, "jimin@newjob.co.kr")

    response = client_member.post(first)

    assert response.status_code == 400
    assert work_fields(member) == (None, "jimin@newjob.co.kr", None)
    client_member.post(second)
    assert work_fields(member)[0] == "jimin@newjob.co.kr"


def test_an_address_verified_by_another_member_is_refused(client, member):
    client.force_login(member_create())
    client.post(request_link(client, WORK_ADDRESS))
    client.force_login(member)
    path = request_link(client, WORK_ADDRESS.upper())

    response = client.post(path)

    assert response.status_code == 400
    assert work_fields(member)[0] is None
    assert Member.objects.filter(work_email__iexact=WORK_ADDRESS).count() == 1


# --- What the public profile shows -------------------------------------------


def test_the_company_shows_on_the_public_profile_only_when_opted_in(client, db):
    hidden = member_create(company="비밀회사", show_company=False)
    shown = member_create(company="공개회사", show_company=True)

    hidden_page = client.get(reverse("member_detail", args=[hidden.public_id]))
    shown_page = client.get(reverse("member_detail", args=[shown.public_id]))

    assert "비밀회사" not in hidden_page.content.decode()
    assert "공개회사" in shown_page.content.decode()


@pytest.mark.parametrize("viewer", ["anonymous", "owner", "other", "staff"])
def test_the_work_address_never_appears_on_the_public_profile(
    client, verified_member, viewer
):
    viewers = {
        "anonymous": None,
        "owner": verified_member,
        "other": member_create(),
        "staff": member_create(is_staff=True),
    }
    client.logout()
    if viewers[viewer] is not None:
        client.force_login(viewers[viewer])

    response = client.get(reverse("member_detail", args=[verified_member.public_id]))

    assert response.status_code == 200
    assert WORK_ADDRESS not in response.content.decode()
    assert "jimin.kim" not in response.content.decode()


# --- Rate limits -------------------------------------------------------------
# The mail goes to an address the member typed in and starts with a name they
# chose: ten requests used to send ten mails (issue 13, defect 9).

RATE_LIMITED = {
    "en": "You have asked for too many confirmation links. Please try again later.",
    "ko": "인증 링크를 너무 많이 요청했어요. 잠시 후 다시 시도해 주세요.",
}


def ask(client, email, language="en"):
    return client.post(
        reverse("work_email"), {"email": email}, headers={"accept-language": language}
    )


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_members_sixth_request_within_an_hour_is_refused_in_their_language(
    client_member, member, language
):
    for n in range(5):
        assert ask(client_member, f"jimin.{n}@acme.co.kr").status_code == 302
    mail.outbox.clear()

    response = ask(client_member, "jimin.6@acme.co.kr", language)

    assert response.status_code == 400
    assert RATE_LIMITED[language] in response.content.decode()
    assert mail.outbox == []
    assert work_fields(member) == (None, "jimin.4@acme.co.kr", None)


def test_ten_requests_send_at_most_five_mails(client_member):
    for n in range(10):
        ask(client_member, f"victim.{n}@example-corp.com")

    assert len(mail.outbox) == 5


def test_an_address_gets_at_most_three_links_a_day_whoever_asks(db):
    senders = [member_create() for _ in range(4)]
    responses = []
    for sender in senders:
        client = Client()
        client.force_login(sender)
        # Case and spaces do not make another address.
        responses.append(ask(client, "  Victim@Example-Corp.com "))

    assert [r.status_code for r in responses] == [302, 302, 302, 400]
    assert RATE_LIMITED["en"] in responses[-1].content.decode()
    assert len(mail.outbox) == 3


def test_the_limits_are_per_member_and_per_address(client_member):
    for n in range(5):
        ask(client_member, f"jimin.{n}@acme.co.kr")
    other = Client()
    other.force_login(member_create())

    response = ask(other, "someone@acme.co.kr")

    assert response.status_code == 302

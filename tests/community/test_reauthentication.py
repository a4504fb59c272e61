"""Confirming it is you again (allauth's reauthentication, asked before
sensitive account changes): by password, or by a code mailed to the member's
verified address (settings.ACCOUNT_REAUTHENTICATION_METHODS). The code is
the way for a member with no usable password; it is no weaker than a
password reset, which trusts the same mailbox."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def reauthenticated_by(client) -> list[str]:
    return [
        record["method"]
        for record in client.session.get("account_authentication_methods", [])
        if record.get("reauthenticated")
    ]


def request_code(client):
    (address,) = (
        client.get(reverse("account_request_reauthentication_code"))
        .context["form"]
        .fields["recipient"]
        .choices
    )
    return client.post(
        reverse("account_request_reauthentication_code"),
        {"recipient": address[0]},
    )


@pytest.fixture
def korean_member(client_member, member):
    member.language = "ko"
    member.save(update_fields=["language"])
    return client_member


def test_the_reauthentication_page_offers_a_code_by_mail(client_member):
    page = client_member.get(reverse("account_reauthenticate"))

    assert page.status_code == 200
    assert reverse("account_request_reauthentication_code") in page.text


def test_requesting_a_code_mails_one_to_the_verified_address(client_member, member):
    response = request_code(client_member)

    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("account_confirm_reauthentication_code")
    )
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert CODE.search(message.body)


def test_the_code_mail_is_in_the_members_language(korean_member):
    request_code(korean_member)

    (message,) = mail.outbox
    assert HANGUL.search(message.subject)
    assert HANGUL.search(message.body)


def test_the_mailed_code_reauthenticates(client_member):
    request_code(client_member)
    (code,) = CODE.findall(mail.outbox[0].body)

    response = client_member.post(
        reverse("account_confirm_reauthentication_code"), {"code": code}
    )

    assert response.status_code == 302
    assert reauthenticated_by(client_member) == ["code"]


def test_a_wrong_code_does_not_reauthenticate(client_member):
    request_code(client_member)

    response = client_member.post(
        reverse("account_confirm_reauthentication_code"), {"code": "WRONG1"}
    )

    assert response.status_code == 200
    assert reauthenticated_by(client_member) == []


def test_repeated_wrong_codes_end_the_code(client_member):
    request_code(client_member)
    (code,) = CODE.findall(mail.outbox[0].body)
    for _ in range(3):
        client_member.post(
            reverse("account_confirm_reauthentication_code"), {"code": "WRONG1"}
        )

    response = client_member.post(
        reverse("account_confirm_reauthentication_code"), {"code": code}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("account_request_reauthentication_code")
    )
    assert reauthenticated_by(client_member) == []


def test_without_a_code_requested_the_confirm_page_goes_to_the_request_page(
    client_member,
):
    response = client_member.get(reverse("account_confirm_reauthentication_code"))

    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("account_request_reauthentication_code")
    )
    assert mail.outbox == []


def test_a_fourth_code_within_a_minute_is_refused_in_the_members_language(
    korean_member,
):
    for _ in range(3):
        request_code(korean_member)

    response = request_code(korean_member)

    assert response.status_code == 200
    assert HANGUL.search(str(response.context["form"].errors["recipient"]))
    assert len(mail.outbox) == 3


def test_the_code_request_page_speaks_the_members_language(korean_member, member):
    page = korean_member.get(reverse("account_request_reauthentication_code"))

    assert page.status_code == 200
    assert f"{member.email}(으)로 코드를 보내 드릴게요." in page.text
    assert "Recipient" not in page.text


def test_with_several_verified_addresses_the_member_chooses_one(korean_member, member):
    EmailAddress.objects.create(user=member, email="second@example.org", verified=True)

    page = korean_member.get(reverse("account_request_reauthentication_code"))

    assert "코드를 받을 주소" in page.text
    assert "second@example.org" in page.text

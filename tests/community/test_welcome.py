"""Sign-up leads somewhere: the welcome form asks for the job role without
choosing one for the member, saving it joins the member to their role's
community and lands there, and the "check your mail" page sends the link
again (allauth's flow and limit)."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from community.models import Membership
from community.roles import JobRole
from tests.community.forum_data import community_make, join, sanction
from tests.community.test_accounts import (
    confirm_link_in,
    observed,
    signup,
)
from tests.factories import member_create

pytestmark = pytest.mark.django_db

WELCOME = reverse("profile_edit") + "?welcome=1"


def _welcome_form(**fields):
    return {
        "real_name": "김지민",
        "nickname": "",
        "display_mode": "real_name",
        "role": JobRole.HR,
        "experience": "0-2",
        "company": "",
        **fields,
    }


@pytest.fixture
def newcomer(client):
    """A member who just confirmed their address: no job role yet."""
    member = member_create(role="", experience="")
    client.force_login(member)
    return member


def test_the_welcome_form_chooses_no_job_role_for_the_member(client, newcomer):
    html = client.get(WELCOME, headers={"accept-language": "en"}).text
    role_select = html[html.index('name="role"') :]
    role_select = role_select[: role_select.index("</select>")]
    assert '<option value="" selected>Choose your job role</option>' in role_select
    assert role_select.count("selected") == 1


def test_skipping_the_job_role_is_refused_with_a_clear_error(client, newcomer):
    response = client.post(
        WELCOME, _welcome_form(role=""), headers={"accept-language": "en"}
    )
    assert response.status_code == 400
    assert "Please choose your job role." in response.text
    newcomer.refresh_from_db()
    assert newcomer.role == ""


def test_saving_the_welcome_joins_the_role_community_and_lands_there(client, newcomer):
    community = community_make(role=JobRole.HR, name="HR 모임")
    community_make(role=JobRole.BACKEND)
    response = client.post(WELCOME, _welcome_form(), headers={"accept-language": "en"})
    assert response.status_code == 302
    assert response.url == reverse("community_detail", args=[community.slug])
    assert Membership.objects.filter(member=newcomer, community=community).exists()
    assert Membership.objects.filter(member=newcomer).count() == 1
    community.refresh_from_db()
    assert community.member_count == 1
    page = client.get(response.url, headers={"accept-language": "en"}).text
    assert "You joined HR 모임" in page


def test_a_members_only_role_community_is_not_joined_and_home_is_next(client, newcomer):
    closed = community_make(role=JobRole.HR, public_read=False)
    response = client.post(WELCOME, _welcome_form())
    assert response.url == reverse("home")
    assert not Membership.objects.filter(member=newcomer, community=closed).exists()


def test_a_role_community_that_bans_the_member_is_not_joined(client, newcomer):
    community = community_make(role=JobRole.HR)
    sanction(newcomer, community)
    response = client.post(WELCOME, _welcome_form())
    assert response.url == reverse("home")
    assert not Membership.objects.filter(member=newcomer).exists()


def test_a_member_already_in_the_role_community_lands_there_once(client, newcomer):
    community = community_make(role=JobRole.HR)
    join(newcomer, community)
    response = client.post(WELCOME, _welcome_form())
    assert response.url == reverse("community_detail", args=[community.slug])
    assert Membership.objects.filter(member=newcomer).count() == 1


def test_a_later_profile_edit_joins_nothing_and_shows_the_profile(client):
    member = member_create(role=JobRole.BACKEND)
    community = community_make(role=JobRole.HR)
    client.force_login(member)
    response = client.post(reverse("profile_edit"), _welcome_form())
    assert response.url == reverse("member_detail", args=[member.public_id])
    assert not Membership.objects.filter(member=member, community=community).exists()


# --- "Check your mail" ----------------------------------------------------------


def test_the_check_your_mail_page_has_a_resend_button_with_the_address(client):
    signup(client, "newcomer@example.org")
    html = client.get(
        reverse("account_email_verification_sent"),
        headers={"accept-language": "en"},
    ).text
    form = html[html.rindex("<form", 0, html.index('id="verification-resend"')) :]
    form = form[: form.index("</form>")]
    assert reverse("verification_resend") in form
    assert 'value="newcomer@example.org"' in form
    assert "Send the link again" in form


def test_resending_mails_a_new_link_that_confirms_the_address(client):
    signup(client, "newcomer@example.org")
    mail.outbox.clear()
    # Three minutes later: allauth's limit (one confirmation mail per
    # address, kept in the cache) starts over.
    cache.clear()
    response = client.post(
        reverse("verification_resend"), {"email": "newcomer@example.org"}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    response = client.post(confirm_link_in(mail.outbox[0]))
    assert response.url == WELCOME


def test_resending_is_limited_by_allauth(client):
    signup(client, "newcomer@example.org")
    mail.outbox.clear()
    client.post(reverse("verification_resend"), {"email": "newcomer@example.org"})
    assert mail.outbox == []


def test_resending_to_many_addresses_from_one_client_is_limited(client):
    """allauth limits each address; a script cycling through addresses
    meets the per-client limit ("5/m/ip"), and sees the same answer."""
    answers = [
        client.post(reverse("verification_resend"), {"email": f"n{i}@example.org"})
        for i in range(30)
    ]

    assert len(mail.outbox) == 5
    assert {(a.status_code, a.url) for a in answers} == {
        (302, reverse("account_email_verification_sent"))
    }


def test_resending_for_a_known_unknown_or_waiting_address_looks_the_same(db):
    member_create(email="known@example.org")
    signup(Client(), "waiting@example.org")

    def attempt(email):
        cache.clear()
        return observed(
            Client(), "post", reverse("verification_resend"), {"email": email}, email
        )

    cases = [
        attempt(email)
        for email in ("known@example.org", "unknown@example.org", "waiting@example.org")
    ]
    assert cases[0] == cases[1] == cases[2]
    assert cases[0]["mails"] == 1


def test_a_resend_without_an_address_is_refused_with_status_400(client):
    response = client.post(reverse("verification_resend"), {"email": "not-an-address"})
    assert response.status_code == 400
    assert mail.outbox == []

"""The member pages: who may see and change what."""

import pytest
from django.urls import reverse

from tests.factories import member_create


def test_the_public_profile_of_an_unknown_member_is_404(client, db):
    response = client.get(reverse("member_detail", args=["no-such-member"]))

    assert response.status_code == 404


def test_the_public_profile_of_an_inactive_member_is_404(client, db):
    gone = member_create(is_active=False)

    response = client.get(reverse("member_detail", args=[gone.public_id]))

    assert response.status_code == 404


def test_the_public_profile_is_visible_to_anonymous_visitors(client, member):
    response = client.get(reverse("member_detail", args=[member.public_id]))

    assert response.status_code == 200
    assert member.real_name in response.content.decode()


def test_the_public_profile_does_not_show_the_sign_in_address(client, member):
    response = client.get(reverse("member_detail", args=[member.public_id]))

    assert member.email not in response.content.decode()


@pytest.mark.parametrize("name", ["profile_edit", "work_email"])
def test_member_pages_send_anonymous_visitors_to_log_in(client, db, name):
    path = reverse(name)

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={path}"


def test_the_profile_form_only_edits_the_signed_in_member(client_member, member):
    other = member_create(real_name="박서윤")

    client_member.post(
        reverse("profile_edit"),
        {
            "real_name": "새 이름",
            "nickname": "",
            "display_mode": "real_name",
            "role": member.role,
            "experience": member.experience,
            "company": "",
        },
    )

    member.refresh_from_db()
    other.refresh_from_db()
    assert member.real_name == "새 이름"
    assert other.real_name == "박서윤"


def test_former_member_is_not_a_name_a_member_can_choose(client_member, member):
    """ "Former member" is what leaving sets; the profile form offered it as
    a third way to be shown, so a member could hide behind it."""
    page = client_member.get(reverse("profile_edit")).content.decode()
    response = client_member.post(
        reverse("profile_edit"),
        {
            "real_name": member.real_name,
            "display_mode": "former",
            "role": member.role,
            "experience": member.experience or "3-5",
        },
    )

    assert 'value="former"' not in page
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.display_mode != "former"


def test_removing_the_work_email_needs_a_post(client_member):
    response = client_member.get(reverse("work_email_remove"))

    assert response.status_code == 405


def test_choosing_a_language_saves_it_on_the_member(client_member, member):
    client_member.post(reverse("language_set"), {"language": "en", "next": "/"})

    member.refresh_from_db()
    assert member.language == "en"


def test_choosing_an_unknown_language_leaves_the_member_unchanged(
    client_member, member
):
    client_member.post(reverse("language_set"), {"language": "xx", "next": "/"})

    member.refresh_from_db()
    assert member.language == "ko"


def test_choosing_a_language_anonymously_sets_the_language_cookie(client, db):
    response = client.post(reverse("language_set"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_choosing_a_language_never_redirects_to_another_site(client, db):
    response = client.post(
        reverse("language_set"),
        {"language": "en", "next": "https://evil.example/phish"},
    )

    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_choosing_a_language_needs_a_post(client, db):
    response = client.get(reverse("language_set"))

    assert response.status_code == 405


def test_the_profile_page_leads_to_the_notification_settings(client_member):
    page = client_member.get(reverse("profile_edit")).text

    assert reverse("notification_settings") in page

"""`manage.py seed_demo`: Korean demo communities and members, loaded once,
shown on a Korean home page that switches to English."""

from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse

from community.models import (
    Community,
    DisplayMode,
    Member,
    NicknameHistory,
    Notification,
)


def counts() -> dict[str, int]:
    return {
        "communities": Community.objects.count(),
        "members": Member.objects.count(),
        "addresses": EmailAddress.objects.count(),
        "nickname history": NicknameHistory.objects.count(),
    }


def test_seed_demo_sends_no_mail(seeded):
    # Replies and mentions in the demo's history notify in the app only.
    assert Notification.objects.exists()
    assert seeded.mails == []


def test_seed_demo_creates_at_least_six_communities(seeded):
    assert Community.objects.count() >= 6


def test_seed_demo_creates_at_least_forty_members(seeded):
    assert Member.objects.count() >= 40


def test_demo_members_use_both_display_modes(seeded):
    modes = set(Member.objects.values_list("display_mode", flat=True))

    assert modes == {DisplayMode.REAL_NAME, DisplayMode.NICKNAME}


def test_demo_members_in_nickname_mode_have_a_nickname(seeded):
    assert not Member.objects.filter(
        display_mode=DisplayMode.NICKNAME, nickname=""
    ).exists()


def test_demo_members_can_sign_in_with_a_verified_address(seeded):
    members = Member.objects.count()

    assert EmailAddress.objects.filter(verified=True, primary=True).count() == members


def test_demo_communities_are_named_in_korean(seeded):
    for name in Community.objects.values_list("name", flat=True):
        assert any("가" <= character <= "힣" for character in name), name


def test_running_seed_demo_twice_changes_no_counts(seeded):
    before = counts()

    call_command("seed_demo", verbosity=0)

    assert counts() == before


def test_the_home_page_is_korean_by_default(client, seeded):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response["Content-Language"] == "ko"
    assert '<html lang="ko">' in response.content.decode()


def test_the_home_page_lists_the_demo_communities(client, seeded):
    body = client.get(reverse("home")).content.decode()

    for name in Community.objects.values_list("name", flat=True):
        assert name in body


def test_choosing_english_serves_the_english_home_page(client, seeded):
    client.post(reverse("language_set"), {"language": "en", "next": "/"})

    response = client.get(reverse("home"))

    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert "Role communities" in response.content.decode()


def test_the_korean_home_page_is_translated(client, seeded):
    body = client.get(reverse("home")).content.decode()

    assert "Role communities" not in body

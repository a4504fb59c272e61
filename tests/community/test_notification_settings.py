"""Notification settings: the defaults, the one rule every sender asks, the
settings page, and the one-click unsubscribe (RFC 8058)."""

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from community.access import access_for
from community.models import (
    DigestSetting,
    Member,
    NotificationPreference,
)
from community.preferences import (
    DEFAULTS,
    members_wanting,
    unsubscribe_headers,
    unsubscribe_token,
    wanting,
    wants,
)
from community.roles import JobRole
from community.services.communities import community_create, community_join
from community.services.members import work_email_request
from community.services.preferences import preferences_update
from community.services.threads import comment_create, thread_create
from tests.factories import member_create

pytestmark = pytest.mark.django_db

ENGLISH = {"Accept-Language": "en"}


def settings_form(**changes) -> dict:
    """The page's form as a member who keeps the defaults would post it,
    with ``changes`` (field name → on)."""
    data = {"digest": changes.pop("digest", "weekly")}
    for topic, channels in DEFAULTS.items():
        if topic == "digest":
            continue
        for channel, default in channels.items():
            name = f"{topic}__{channel}"
            if changes.get(name, default):
                data[name] = "on"
    return data


# --- Defaults and the rule -----------------------------------------------------


def test_a_new_member_has_no_preference_rows_and_gets_the_defaults():
    member = member_create()

    assert NotificationPreference.objects.filter(member=member).count() == 0
    assert wants(member, "reply", "email")
    assert wants(member, "mention", "in_app")
    assert wants(member, "gathering_new", "email")
    assert wants(member, "digest", "email")


def test_a_channel_a_topic_does_not_have_is_off():
    member = member_create()

    assert not wants(member, "helpful", "email")
    assert not wants(member, "no-such-topic", "email")


def test_a_stored_choice_overrides_the_default():
    member = member_create()

    preferences_update(member=member, choices={("gathering_new", "email"): False})

    assert not wants(member, "gathering_new", "email")
    assert wants(member, "gathering_new", "in_app")


def test_choosing_the_default_again_removes_the_row():
    member = member_create()
    preferences_update(member=member, choices={("reply", "email"): False})

    preferences_update(member=member, choices={("reply", "email"): True})

    assert NotificationPreference.objects.filter(member=member).count() == 0
    assert wants(member, "reply", "email")


def test_a_digest_switched_off_means_no_digest_email():
    member = member_create()

    preferences_update(member=member, choices={}, digest="off")

    assert not wants(member, "digest", "email")


def test_the_weekly_digest_leaves_no_row_daily_leaves_one():
    member = member_create()
    preferences_update(member=member, choices={}, digest="daily")
    assert DigestSetting.objects.get(member=member).frequency == "daily"

    preferences_update(member=member, choices={}, digest="weekly")

    assert not DigestSetting.objects.filter(member=member).exists()


def test_an_inactive_member_wants_nothing():
    member = member_create(is_active=False)

    assert not wants(member, "reply", "in_app")


def test_the_queryset_form_of_the_rule_agrees_with_the_function():
    members = [member_create() for _ in range(4)]
    preferences_update(member=members[0], choices={("reply", "email"): False})
    preferences_update(member=members[1], choices={("reply", "in_app"): False})
    preferences_update(member=members[2], choices={}, digest="off")
    everyone = Member.objects.filter(pk__in=[m.pk for m in members])

    for topic, channels in DEFAULTS.items():
        for channel in channels:
            as_sql = set(
                members_wanting(everyone, topic, channel).values_list("pk", flat=True)
            )
            assert as_sql == wanting(members, topic, channel), (topic, channel)


def test_wanting_asks_once_for_many_members(django_assert_num_queries):
    members = [member_create() for _ in range(5)]

    with django_assert_num_queries(1):
        wanting(members, "reply", "email")


# --- The settings page -----------------------------------------------------------


def test_the_page_shows_every_topic_and_what_always_arrives(client):
    member = member_create()
    client.force_login(member)

    page = client.get(reverse("notification_settings"), headers=ENGLISH).text

    assert "New gatherings in my communities" in page
    assert 'name="gathering_new__email" id="id_gathering_new__email" checked' in page
    assert "Seat offers with a deadline" in page
    assert "Weekly" in page


def test_the_page_saves_a_switch_and_the_frequency(client):
    member = member_create()
    client.force_login(member)

    response = client.post(
        reverse("notification_settings"),
        settings_form(gathering_new__email=False, digest="daily"),
    )

    assert response.status_code == 302
    assert not wants(member, "gathering_new", "email")
    assert wants(member, "gathering_new", "in_app")
    assert DigestSetting.objects.get(member=member).frequency == "daily"
    assert NotificationPreference.objects.filter(member=member).count() == 1


def test_a_bad_frequency_is_refused_and_nothing_changes(client):
    member = member_create()
    client.force_login(member)

    response = client.post(
        reverse("notification_settings"),
        settings_form(gathering_new__email=False, digest="hourly"),
        headers=ENGLISH,
    )

    assert response.status_code == 400
    assert "Please choose how often, or off." in response.text
    assert wants(member, "gathering_new", "email")


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("notification_settings"))

    assert response.status_code == 302
    assert "login" in response.url


@pytest.mark.parametrize("changed", [0, 6])
def test_the_settings_page_queries_do_not_grow_with_choices(
    client, django_assert_max_num_queries, changed
):
    member = member_create()
    topics = [
        (topic, channel)
        for topic, channels in DEFAULTS.items()
        if topic != "digest"
        for channel in channels
    ][:changed]
    preferences_update(member=member, choices=dict.fromkeys(topics, False))
    client.force_login(member)

    with django_assert_max_num_queries(12):
        assert client.get(reverse("notification_settings")).status_code == 200


# --- One-click unsubscribe --------------------------------------------------------


def test_the_unsubscribe_get_only_asks(client):
    member = member_create()
    token = unsubscribe_token(member, "gathering_new")

    response = client.get(reverse("unsubscribe", args=[token]), headers=ENGLISH)

    assert response.status_code == 200
    assert "Stop these emails" in response.text
    assert wants(member, "gathering_new", "email")


def test_the_one_click_post_works_without_signing_in_or_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    member = member_create()
    token = unsubscribe_token(member, "gathering_new")

    response = client.post(
        reverse("unsubscribe", args=[token]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not wants(member, "gathering_new", "email")
    assert wants(member, "gathering_new", "in_app")
    assert wants(member, "reply", "email")


def test_a_token_unsubscribes_only_its_own_member(client):
    owner, other = member_create(), member_create()
    client.force_login(other)

    client.post(reverse("unsubscribe", args=[unsubscribe_token(owner, "reply")]))

    assert not wants(owner, "reply", "email")
    assert wants(other, "reply", "email")


def test_a_token_forged_for_another_member_is_refused(client):
    owner, victim = member_create(), member_create()
    token = unsubscribe_token(owner, "reply")
    payload = signing.loads(token, salt="moim.unsubscribe")
    # The payload is readable, but changing it breaks the signature.
    forged = token.replace(
        signing.b64_encode(signing.JSONSerializer().dumps(payload)).decode(),
        signing.b64_encode(
            signing.JSONSerializer().dumps({**payload, "m": victim.public_id})
        ).decode(),
    )
    assert forged != token

    response = client.post(reverse("unsubscribe", args=[forged]), headers=ENGLISH)

    assert response.status_code == 404
    assert "This link is not valid" in response.text
    assert wants(victim, "reply", "email")
    assert wants(owner, "reply", "email")


def test_a_token_signed_with_another_salt_is_refused(client):
    member = member_create()
    token = signing.dumps({"m": member.public_id, "t": "reply"}, salt="other")

    response = client.post(reverse("unsubscribe", args=[token]))

    assert response.status_code == 404
    assert wants(member, "reply", "email")


def test_unsubscribing_from_the_digest_turns_it_off(client):
    member = member_create()

    client.post(reverse("unsubscribe", args=[unsubscribe_token(member, "digest")]))

    assert DigestSetting.objects.get(member=member).frequency == "off"


def test_the_headers_name_the_one_click_link(settings):
    settings.SITE_URL = "https://moim.example"
    member = member_create()

    headers = unsubscribe_headers(member, "reply")

    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"]
    assert link.startswith("<https://moim.example/unsubscribe/")
    assert link.endswith("/>")


# --- Which mails carry the headers -----------------------------------------------


def test_a_reply_mail_carries_the_unsubscribe_headers():
    author, replier = member_create(), member_create()
    community = community_create(
        name="퍼포먼스 마케팅", slug="perf", role=JobRole.BACKEND, owner=author
    )
    community_join(access=access_for(replier, community))
    thread = thread_create(
        access=access_for(author, community),
        board=community.boards.first(),
        tag="question",
        title="질문",
        body="본문",
    )
    mail.outbox.clear()

    comment_create(access=access_for(replier, community), thread=thread, body="답")

    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert "/unsubscribe/" in message.body


def test_a_transactional_mail_carries_no_unsubscribe_header(client):
    member = member_create()
    mail.outbox.clear()

    work_email_request(
        member=member, email="me@company.co.kr", confirm_url_for=lambda t: t
    )

    (message,) = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "/unsubscribe/" not in message.body

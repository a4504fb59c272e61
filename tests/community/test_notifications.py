"""The notification centre (list, unread count in the navigation, mark read,
mark all read) and the reply and mention emails."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from community.access import access_for
from community.facts import fact
from community.models import Notification, NotificationKind, SanctionKind, Thread
from community.roles import JobRole
from community.services.communities import community_create, community_join
from community.services.moderation import sanction_impose
from community.services.notifications import notify
from community.services.preferences import preferences_update
from community.services.threads import comment_create, thread_create
from community.templatetags.notifications import notification_text
from tests.factories import member_create

ENGLISH = {"accept-language": "en"}


@pytest.fixture
def author(db):
    # Nicknamed, so that mentions can find her; joined long ago, so that the
    # first-day posting limits stay out of the way.
    return member_create(
        nickname="광고요정",
        display_mode="nickname",
        language="en",
        date_joined=timezone.now() - timezone.timedelta(days=30),
    )


@pytest.fixture
def replier(db):
    return member_create(
        real_name="김답글", date_joined=timezone.now() - timezone.timedelta(days=30)
    )


@pytest.fixture
def community(author, replier):
    community = community_create(
        name="퍼포먼스 마케팅", slug="perf", role=JobRole.BACKEND, owner=author
    )
    community_join(access=access_for(replier, community))
    return community


@pytest.fixture
def thread(community, author):
    return thread_create(
        access=access_for(author, community),
        board=community.boards.first(),
        tag="question",
        title="ROAS 계산 어떻게 하세요?",
        body="궁금해요.",
    )


def reply(community, thread, replier, body="저는 이렇게 해요."):
    return comment_create(
        access=access_for(replier, community), thread=thread, body=body
    )


def notifications_add(member, thread, actor, count):
    Notification.objects.bulk_create(
        Notification(
            recipient=member, kind=NotificationKind.REPLY, actor=actor, thread=thread
        )
        for _ in range(count)
    )


# --- The list ----------------------------------------------------------------------


def test_the_list_shows_who_did_what_where(client, community, thread, author, replier):
    reply(community, thread, replier)
    client.force_login(author)

    response = client.get(reverse("notification_list"), headers=ENGLISH)

    html = response.content.decode()
    assert response.status_code == 200
    assert "김답글 replied in “ROAS 계산 어떻게 하세요?”" in html
    assert "저는 이렇게 해요." in html
    assert "is-unread" in html


def test_a_reply_excerpt_is_plain_text(client, community, thread, author, replier):
    reply(community, thread, replier, body="**굵게** 보세요: [문서](https://d.example)")
    client.force_login(author)

    html = client.get(reverse("notification_list"), headers=ENGLISH).text

    assert "굵게 보세요: 문서" in html
    assert "**" not in html
    assert "](https://d.example)" not in html


def test_the_list_shows_only_ones_own_notifications(
    client, community, thread, author, replier
):
    reply(community, thread, replier)
    client.force_login(replier)

    html = client.get(reverse("notification_list"), headers=ENGLISH).content.decode()

    assert "replied in" not in html
    assert "No notifications yet" in html


def test_the_list_needs_a_signed_in_member(client, db):
    response = client.get(reverse("notification_list"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_moderation_notification_shows_its_sentence(client, author, community):
    notify(
        recipients=[author],
        kind=NotificationKind.MODERATION,
        sentence=fact("You are muted in %(community)s.", community="퍼포먼스 마케팅"),
    )
    client.force_login(author)

    html = client.get(reverse("notification_list"), headers=ENGLISH).content.decode()

    assert "You are muted in 퍼포먼스 마케팅." in html


def test_a_sanction_notice_from_a_moderator_shows_its_sentence(
    client, author, replier, community
):
    # A sanction notice names its moderator (actor) but no thread.
    sanction_impose(
        access=access_for(author, community),
        member=replier,
        kind=SanctionKind.MUTE,
        reason="도배",
        ends_at=None,
    )
    client.force_login(replier)

    response = client.get(reverse("notification_list"), headers=ENGLISH)

    assert response.status_code == 200
    notice = Notification.objects.get(recipient=replier)
    assert notice.actor == author
    with translation.override("en"):
        assert notification_text(notice) in response.content.decode()


def test_the_list_query_count_does_not_grow(
    client, thread, author, replier, django_assert_max_num_queries
):
    client.force_login(author)
    notifications_add(author, thread, replier, 5)
    with django_assert_max_num_queries(5) as small:
        assert client.get(reverse("notification_list")).status_code == 200

    notifications_add(author, thread, replier, 195)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("notification_list")).status_code == 200


# --- The unread count in the navigation --------------------------------------------


def badge(html: str) -> str | None:
    """The visible badge's number (the badge is kept, hidden, at zero so that
    a live update can show it)."""
    found = re.search(r'class="badge badge-count"(?![^>]*\shidden)[^>]*>(\d+)<', html)
    return found.group(1) if found else None


def test_the_navigation_shows_the_unread_count(client, thread, author, replier):
    notifications_add(author, thread, replier, 3)
    client.force_login(author)

    html = client.get(reverse("home"), headers=ENGLISH).content.decode()

    assert badge(html) == "3"
    assert "(3 unread)" in html


def test_no_badge_without_unread_notifications(client, author):
    client.force_login(author)

    html = client.get(reverse("home")).content.decode()

    assert badge(html) is None
    assert reverse("notification_list") in html


def test_anonymous_visitors_get_no_notifications_link(client, db):
    html = client.get(reverse("home")).content.decode()

    assert reverse("notification_list") not in html


def test_the_unread_count_costs_one_query_per_page(client, thread, author, replier):
    notifications_add(author, thread, replier, 2)
    client.force_login(author)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("notification_list"))

    counts = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"] and "read_at" in q["sql"]
    ]
    assert len(counts) == 1


# --- Marking read ------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_leads_to_the_comment(
    client, community, thread, author, replier
):
    comment = reply(community, thread, replier)
    notification = Notification.objects.get(recipient=author)
    client.force_login(author)

    response = client.post(reverse("notification_read", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("thread_detail", args=[community.slug, thread.pk])
        + f"#comment-{comment.pk}"
    )
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_404_and_stays_unread(
    client, community, thread, author, replier
):
    reply(community, thread, replier)
    notification = Notification.objects.get(recipient=author)
    client.force_login(replier)

    response = client.post(reverse("notification_read", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_read_is_post_only(client, community, thread, author, replier):
    reply(community, thread, replier)
    notification = Notification.objects.get(recipient=author)
    client.force_login(author)

    response = client.get(reverse("notification_read", args=[notification.pk]))

    assert response.status_code == 405


def test_a_notification_without_a_thread_leads_back_to_the_list(client, author):
    (notification,) = notify(
        recipients=[author],
        kind=NotificationKind.MODERATION,
        sentence=fact("You are muted in %(community)s.", community="…"),
    )
    client.force_login(author)

    response = client.post(reverse("notification_read", args=[notification.pk]))

    assert response["Location"] == reverse("notification_list")


def test_a_notification_with_its_own_link_leads_there(client, author):
    """A gathering's notices carry the gathering page as their link."""
    notification = Notification.objects.create(
        recipient=author,
        kind=NotificationKind.GATHERING,
        detail="…",
        link="/c/some-community/g/7/",
    )
    client.force_login(author)

    response = client.post(reverse("notification_read", args=[notification.pk]))

    assert response["Location"] == "/c/some-community/g/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize("link", ["//evil.example/x", "https://evil.example/"])
def test_a_notification_never_leads_off_the_site(client, author, link):
    notification = Notification.objects.create(
        recipient=author, kind=NotificationKind.GATHERING, detail="…", link=link
    )
    client.force_login(author)

    response = client.post(reverse("notification_read", args=[notification.pk]))

    assert response["Location"] == reverse("notification_list")


def test_mark_all_read_marks_only_ones_own(client, thread, author, replier):
    notifications_add(author, thread, replier, 4)
    notifications_add(replier, thread, author, 2)
    client.force_login(author)

    response = client.post(reverse("notification_read_all"))

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=author, read_at=None).exists()
    assert Notification.objects.filter(recipient=replier, read_at=None).count() == 2
    html = client.get(reverse("home")).content.decode()
    assert badge(html) is None


def test_mark_all_read_needs_a_signed_in_member_and_post(client, author):
    assert client.post(reverse("notification_read_all")).status_code == 302
    client.force_login(author)
    assert client.get(reverse("notification_read_all")).status_code == 405


# --- Emails ------------------------------------------------------------------------


def test_a_reply_mails_the_thread_author_in_her_language_with_an_absolute_link(
    settings, community, thread, author, replier
):
    settings.SITE_URL = "https://moim.example"
    mail.outbox.clear()

    comment = reply(community, thread, replier)

    (message,) = mail.outbox
    assert message.to == [author.email]
    assert message.subject == "[Moim] 김답글 replied in “ROAS 계산 어떻게 하세요?”"
    assert "Hello 광고요정," in message.body
    assert "저는 이렇게 해요." in message.body
    thread_path = reverse("thread_detail", args=[community.slug, thread.pk])
    assert f"https://moim.example{thread_path}#comment-{comment.pk}" in message.body


def test_no_reply_mail_when_the_member_turned_it_off(
    community, thread, author, replier
):
    preferences_update(member=author, choices={("reply", "email"): False})
    mail.outbox.clear()

    reply(community, thread, replier)

    assert mail.outbox == []
    assert Notification.objects.filter(recipient=author).count() == 1


def test_a_mention_mails_the_mentioned_member(
    settings, community, thread, author, replier
):
    settings.SITE_URL = "https://moim.example"
    third = member_create(nickname="데이터덕후", display_mode="nickname", language="en")
    community_join(access=access_for(third, community))
    mail.outbox.clear()

    reply(community, thread, replier, body="@데이터덕후 님 의견은요?")

    mention = next(m for m in mail.outbox if m.to == [third.email])
    assert mention.subject == (
        "[Moim] 김답글 mentioned you in “ROAS 계산 어떻게 하세요?”"
    )
    assert "https://moim.example/c/perf/t/" in mention.body


def test_no_mention_mail_when_the_member_turned_it_off(community, thread, replier):
    third = member_create(nickname="데이터덕후", display_mode="nickname")
    preferences_update(member=third, choices={("mention", "email"): False})
    community_join(access=access_for(third, community))
    mail.outbox.clear()

    reply(community, thread, replier, body="@데이터덕후 님 의견은요?")

    assert all(m.to != [third.email] for m in mail.outbox)
    assert Notification.objects.filter(recipient=third).count() == 1


def test_a_mention_in_a_new_thread_links_to_the_thread(settings, community, author):
    settings.SITE_URL = "https://moim.example"
    third = member_create(nickname="데이터덕후", display_mode="nickname", language="en")
    community_join(access=access_for(third, community))
    mail.outbox.clear()

    thread = thread_create(
        access=access_for(author, community),
        board=community.boards.first(),
        tag="discussion",
        title="같이 봐요",
        body="@데이터덕후 이거 보셨어요?",
    )

    (message,) = mail.outbox
    path = reverse("thread_detail", args=[community.slug, thread.pk])
    assert f"https://moim.example{path}\n" in message.body
    assert "이거 보셨어요?" in message.body


def test_a_korean_members_mail_renders_with_an_absolute_link(
    settings, community, thread, author, replier
):
    settings.SITE_URL = "https://moim.example"
    author.language = "ko"
    author.save(update_fields=["language"])
    mail.outbox.clear()

    reply(community, thread, replier)

    (message,) = mail.outbox
    assert "김답글" in message.subject
    assert "ROAS 계산 어떻게 하세요?" in message.subject
    assert "https://moim.example/c/perf/t/" in message.body


def test_a_title_with_markup_is_not_html_escaped_in_the_mail(
    community, author, replier
):
    thread = Thread.objects.create(
        community=community,
        board=community.boards.first(),
        author=author,
        tag="discussion",
        title="A & B <비교>",
        body=".",
        body_html=".",
    )
    mail.outbox.clear()

    reply(community, thread, replier)

    assert "“A & B <비교>”" in mail.outbox[0].subject

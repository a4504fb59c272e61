"""Posting through the pages: sanitised Markdown, mentions, replies,
reactions, bookmarks, helpful answers, rate limits, view counts, sorting."""

from datetime import timedelta
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.access import access_for
from community.models import (
    Bookmark,
    Comment,
    Community,
    DisplayMode,
    Membership,
    Notification,
    NotificationKind,
    PostPolicy,
    Reaction,
    Revision,
    SanctionKind,
    Thread,
    ThreadTag,
)
from community.selectors import threads as selectors
from community.services import threads as thread_services
from tests.community.forum_data import (
    comment_make,
    community_make,
    join,
    sanction,
    thread_make,
    veteran,
)
from tests.factories import member_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return community_make()


@pytest.fixture
def poster(client, community):
    member = veteran()
    join(member, community)
    client.force_login(member)
    return member


def _new_thread(client, community, **data):
    fields = {"title": "질문 있어요", "tag": "question", "body": "본문"}
    fields.update(data)
    return client.post(
        reverse("thread_create", args=[community.slug, "job-talk"]),
        fields,
        headers={"accept-language": "en"},
    )


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _elements(html):
    """Every element of ``html`` with its attributes: what a browser would
    act on, as opposed to escaped text that merely reads like markup."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


def _thread_url(thread):
    return reverse("thread_detail", args=[thread.community.slug, thread.pk])


# --- Creating -----------------------------------------------------------------------


def test_thread_create_renders_sanitised_markdown(client, community, poster):
    body = (
        "**굵게** [link](https://example.org)\n\n"
        "<script>alert(1)</script>\n\n"
        "[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) <javascript:alert(1)>\n\n"
        '<a href="https://example.org" onclick="steal()">a</a>\n\n'
        '<img src=x onerror="alert(1)">'
    )
    response = _new_thread(client, community, body=body)
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response.url == _thread_url(thread)
    html = thread.body_html
    assert "<strong>굵게</strong>" in html
    elements = _elements(html)
    assert {tag for tag, _ in elements} <= {"p", "strong", "a"}
    links = [attrs for tag, attrs in elements if tag == "a"]
    assert links == [{"href": "https://example.org", "rel": "nofollow ugc noopener"}]
    assert not any(name.startswith("on") for _, a in elements for name in a)
    page = client.get(_thread_url(thread)).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_thread_title_is_escaped_on_every_page(client, community, poster):
    _new_thread(client, community, title="<b>굵은 제목</b>")
    thread = Thread.objects.get()
    for url in [
        _thread_url(thread),
        reverse("board_detail", args=[community.slug, "job-talk"]),
        reverse("community_detail", args=[community.slug]),
    ]:
        page = client.get(url).text
        assert "<b>굵은 제목</b>" not in page
        assert "&lt;b&gt;굵은 제목&lt;/b&gt;" in page


def test_empty_body_is_a_form_error_and_nothing_is_stored(client, community, poster):
    response = _new_thread(client, community, body="   ")
    assert response.status_code == 400
    assert not Thread.objects.exists()


def test_promotion_outside_the_promotion_board_is_refused(client, community, poster):
    response = _new_thread(client, community, tag=ThreadTag.PROMOTION)
    assert response.status_code == 400
    assert "Promotion is allowed only on the Introductions board." in response.text
    assert not Thread.objects.exists()


def test_mention_notifies_the_mentioned_member_once(client, community, poster):
    mentioned = member_create(display_mode=DisplayMode.NICKNAME, nickname="광고요정")
    body = "@광고요정 님 의견 궁금해요. 다시 한 번 @광고요정님! 그리고 저 @{me}"
    poster.nickname, poster.nickname_key = "질문러", "질문러"
    poster.display_mode = DisplayMode.NICKNAME
    poster.save()
    _new_thread(client, community, body=body.format(me="질문러"))
    notifications = Notification.objects.filter(kind=NotificationKind.MENTION)
    assert [n.recipient for n in notifications] == [mentioned]
    thread = Thread.objects.get()
    assert reverse("member_detail", args=[mentioned.public_id]) in thread.body_html


def test_reply_notifies_thread_author_and_parent_comment_author(
    client, community, poster
):
    thread_author = veteran()
    comment_author = veteran()
    thread = thread_make(community, thread_author)
    parent = comment_make(thread, comment_author)
    response = client.post(
        reverse("comment_create", args=[community.slug, thread.pk]),
        {"body": "답글입니다", "parent": parent.pk},
    )
    reply = Comment.objects.get(body="답글입니다")
    assert response.status_code == 302
    assert response.url == f"{_thread_url(thread)}#comment-{reply.pk}"
    recipients = set(
        Notification.objects.filter(kind=NotificationKind.REPLY).values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {thread_author.pk, comment_author.pk}


def _comments(thread, author, count):
    now = timezone.now() - timedelta(hours=1)
    Comment.objects.bulk_create(
        Comment(
            thread=thread,
            author=author,
            body=f"댓글 {n}",
            body_html=f"<p>댓글 {n}</p>",
            created_at=now + timedelta(seconds=n),
        )
        for n in range(count)
    )
    return list(Comment.objects.filter(thread=thread).order_by("created_at", "pk"))


def test_a_new_comment_leads_to_the_page_that_holds_it(client, community, poster):
    thread = thread_make(community, veteran())
    _comments(thread, veteran(), selectors.COMMENTS_PER_PAGE)

    response = client.post(
        reverse("comment_create", args=[community.slug, thread.pk]),
        {"body": "101번째 댓글"},
    )

    comment = Comment.objects.get(body="101번째 댓글")
    assert response.url == f"{_thread_url(thread)}?page=2#comment-{comment.pk}"
    page = client.get(response.url).text
    assert f'id="comment-{comment.pk}"' in page


def test_a_reply_leads_to_the_page_of_its_top_level_comment(client, community, poster):
    thread = thread_make(community, veteran())
    comments = _comments(thread, veteran(), selectors.COMMENTS_PER_PAGE + 5)
    first, later = comments[0], comments[-1]

    early = client.post(
        reverse("comment_create", args=[community.slug, thread.pk]),
        {"body": "첫 댓글에 답글", "parent": first.pk},
    )
    late = client.post(
        reverse("comment_create", args=[community.slug, thread.pk]),
        {"body": "나중 댓글에 답글", "parent": later.pk},
    )

    early_reply = Comment.objects.get(body="첫 댓글에 답글")
    late_reply = Comment.objects.get(body="나중 댓글에 답글")
    assert early.url == f"{_thread_url(thread)}#comment-{early_reply.pk}"
    assert late.url == f"{_thread_url(thread)}?page=2#comment-{late_reply.pk}"


def test_a_reply_to_a_reply_attaches_to_the_top_level_comment(
    client, community, poster
):
    thread = thread_make(community, veteran())
    top = comment_make(thread, veteran())
    reply = comment_make(thread, veteran(), parent=top)
    client.post(
        reverse("comment_create", args=[community.slug, thread.pk]),
        {"body": "답글의 답글", "parent": reply.pk},
    )
    assert Comment.objects.get(body="답글의 답글").parent == top
    page = client.get(_thread_url(thread)).text
    replies = page.split('class="replies"')[1]
    assert "답글의 답글" in replies


def test_reply_to_a_comment_of_another_thread_is_refused(client, community, poster):
    thread = thread_make(community, veteran())
    elsewhere = comment_make(thread_make(community, veteran()), veteran())
    response = client.post(
        reverse("comment_create", args=[community.slug, thread.pk]),
        {"body": "엉뚱한 답글", "parent": elsewhere.pk},
    )
    assert response.status_code == 400
    assert not Comment.objects.filter(body="엉뚱한 답글").exists()


def test_locked_thread_takes_no_comments(client, community, poster):
    thread = thread_make(community, veteran(), is_locked=True)
    response = client.post(
        reverse("comment_create", args=[community.slug, thread.pk]),
        {"body": "잠긴 글에 댓글"},
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


# --- Reactions and bookmarks -------------------------------------------------------


def test_thread_reaction_toggles_and_counts(client, community, poster):
    thread = thread_make(community, veteran())
    url = reverse("thread_react", args=[community.slug, thread.pk, "empathy"])
    assert client.post(url).status_code == 302
    thread.refresh_from_db()
    assert thread.empathy_count == 1
    page = client.get(_thread_url(thread)).text
    assert 'aria-pressed="true"' in page
    client.post(url)
    thread.refresh_from_db()
    assert thread.empathy_count == 0
    assert not Reaction.objects.exists()


def test_reaction_with_htmx_returns_the_fragment(client, community, poster):
    thread = thread_make(community, veteran())
    url = reverse("thread_react", args=[community.slug, thread.pk, "helpful"])
    response = client.post(url, headers={"hx-request": "true"})
    html = response.text
    assert response.status_code == 200
    assert html.strip().startswith('<div class="reactions" id="thread-reactions">')
    assert "<html" not in html
    assert 'aria-pressed="true"' in html and '<span class="count">1</span>' in html


def test_comment_reaction_toggles_with_and_without_htmx(client, community, poster):
    thread = thread_make(community, veteran())
    comment = comment_make(thread, veteran())
    url = reverse("comment_react", args=[community.slug])
    pressed = {"empathy": comment.pk}
    response = client.post(url, pressed, headers={"hx-request": "true"})
    assert f'name="empathy" value="{comment.pk}" aria-pressed="true"' in response.text
    comment.refresh_from_db()
    assert comment.empathy_count == 1
    response = client.post(url, pressed)
    assert response.url.endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.empathy_count == 0


def test_a_comment_reaction_without_javascript_returns_to_the_comments_page(
    client, community, poster
):
    """The reader comes back to the comment they pressed: on the page of
    the thread that holds it, not the first one."""
    from community.selectors.threads import COMMENTS_PER_PAGE

    thread = thread_make(community, veteran())
    comments = [comment_make(thread, veteran()) for _ in range(COMMENTS_PER_PAGE + 1)]
    last = comments[-1]
    url = reverse("comment_react", args=[community.slug])

    response = client.post(url, {"helpful": last.pk})

    assert response.status_code == 302
    page = reverse("thread_detail", args=[community.slug, thread.pk])
    assert response.url == f"{page}?page=2#comment-{last.pk}"
    last.refresh_from_db()
    assert last.helpful_count == 1


@pytest.mark.parametrize(
    "sent",
    [
        {},
        {"kind": "empathy"},
        {"love": "{pk}"},
        {"empathy": ""},
        {"empathy": "x"},
        {"empathy": "-{pk}"},
        {"empathy": "{pk}", "helpful": "{pk}"},
        {"empathy": "{other}"},
        {"helpful": "999999999"},
        {"helpful": "9999999999999999999"},
        # Two comments in one press: the last one is this community's.
        {"empathy": ["{other}", "{pk}"]},
        {"empathy": ["{pk}", "{pk}"]},
    ],
)
def test_a_comment_reaction_naming_no_comment_or_kind_is_not_found(
    client, community, poster, sent
):
    """One button's worth: a kind as the name, a comment of this community
    as the value; anything else is refused as a URL naming no comment or
    kind was, and changes nothing."""
    comment = comment_make(thread_make(community, veteran()), veteran())
    elsewhere = community_make(slug="elsewhere")
    other = comment_make(thread_make(elsewhere, veteran()), veteran())
    data = {
        name: [one.format(pk=comment.pk, other=other.pk) for one in value]
        if isinstance(value, list)
        else value.format(pk=comment.pk, other=other.pk)
        for name, value in sent.items()
    }
    url = reverse("comment_react", args=[community.slug])

    response = client.post(url, data, headers={"accept-language": "en"})

    assert response.status_code == 404
    assert Reaction.objects.count() == 0


def test_a_refused_htmx_reaction_answers_its_reason_as_text(client, community):
    thread = thread_make(community, veteran())
    outsider = veteran()
    client.force_login(outsider)
    url = reverse("thread_react", args=[community.slug, thread.pk, "empathy"])

    response = client.post(url, headers={"hx-request": "true", "accept-language": "en"})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    assert response.text == "Join this community to take part."
    thread.refresh_from_db()
    assert thread.empathy_count == 0


def test_a_refused_htmx_comment_reaction_answers_its_reason_as_text(client, community):
    comment = comment_make(thread_make(community, veteran()), veteran())
    client.force_login(veteran())
    url = reverse("comment_react", args=[community.slug])

    response = client.post(
        url,
        {"helpful": comment.pk},
        headers={"hx-request": "true", "accept-language": "en"},
    )

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    assert response.text == "Join this community to take part."
    comment.refresh_from_db()
    assert comment.helpful_count == 0


def test_the_thread_page_has_the_alert_region_htmx_refusals_fill(
    client, community, poster
):
    thread = thread_make(community, veteran())

    html = client.get(_thread_url(thread)).text

    assert 'role="alert" data-htmx-alert' in html
    assert (
        "htmx:responseError"
        in (settings.BASE_DIR / "static" / "js" / "moim.js").read_text()
    )


def test_unknown_reaction_kind_is_404(client, community, poster):
    thread = thread_make(community, veteran())
    url = reverse("thread_react", args=[community.slug, thread.pk, "angry"])
    assert client.post(url).status_code == 404


def test_bookmark_toggles_and_lists(client, community, poster):
    thread = thread_make(community, veteran(), title="나중에 읽을 글")
    url = reverse("thread_bookmark", args=[community.slug, thread.pk])
    client.post(url)
    assert Bookmark.objects.filter(member=poster, thread=thread).exists()
    assert "나중에 읽을 글" in client.get(reverse("bookmark_list")).text
    response = client.post(url, headers={"hx-request": "true"})
    assert "bookmark-form" in response.text and "<html" not in response.text
    assert not Bookmark.objects.exists()
    assert "나중에 읽을 글" not in client.get(reverse("bookmark_list")).text


def test_bookmarks_of_a_community_left_behind_are_not_listed(client, poster):
    private = community_make(public_read=False)
    membership = join(poster, private)
    thread = thread_make(private, veteran(), title="비공개 글")
    Bookmark.objects.create(member=poster, thread=thread)
    assert "비공개 글" in client.get(reverse("bookmark_list")).text
    membership.delete()
    assert "비공개 글" not in client.get(reverse("bookmark_list")).text


# --- Helpful answer ----------------------------------------------------------------


def test_question_author_marks_and_clears_the_helpful_answer(client, community, poster):
    thread = thread_make(community, poster, tag=ThreadTag.QUESTION)
    answer = comment_make(thread, veteran(), body="이렇게 해보세요")
    url = reverse("thread_helpful", args=[community.slug, thread.pk])
    client.post(url, {"comment": answer.pk})
    thread.refresh_from_db()
    assert thread.helpful_comment == answer
    assert Notification.objects.filter(
        kind=NotificationKind.HELPFUL, recipient=answer.author
    ).exists()
    page = client.get(_thread_url(thread), headers={"accept-language": "en"}).text
    assert page.index('class="helpful-answer"') < page.index('class="comments"')
    client.post(url, {"comment": ""})
    thread.refresh_from_db()
    assert thread.helpful_comment is None


def test_marking_a_helpful_answer_returns_to_the_comments_page(
    client, community, poster
):
    from community.selectors.threads import COMMENTS_PER_PAGE

    thread = thread_make(community, poster, tag=ThreadTag.QUESTION)
    answers = [comment_make(thread, veteran()) for _ in range(COMMENTS_PER_PAGE + 1)]
    url = reverse("thread_helpful", args=[community.slug, thread.pk])

    response = client.post(url, {"comment": answers[-1].pk})

    page = reverse("thread_detail", args=[community.slug, thread.pk])
    assert response.url == f"{page}?page=2#comment-{answers[-1].pk}"


def test_only_the_question_author_marks_a_helpful_answer(client, community, poster):
    thread = thread_make(community, veteran(), tag=ThreadTag.QUESTION)
    answer = comment_make(thread, veteran())
    response = client.post(
        reverse("thread_helpful", args=[community.slug, thread.pk]),
        {"comment": answer.pk},
    )
    assert response.status_code == 403
    thread.refresh_from_db()
    assert thread.helpful_comment is None


def test_only_a_question_has_a_helpful_answer(client, community, poster):
    thread = thread_make(community, poster, tag=ThreadTag.DISCUSSION)
    answer = comment_make(thread, veteran())
    response = client.post(
        reverse("thread_helpful", args=[community.slug, thread.pk]),
        {"comment": answer.pk},
    )
    assert response.status_code == 400
    thread.refresh_from_db()
    assert thread.helpful_comment is None


def test_helpful_buttons_only_for_the_question_author(client, community, poster):
    thread = thread_make(community, poster, tag=ThreadTag.QUESTION)
    comment_make(thread, veteran())
    helpful_url = reverse("thread_helpful", args=[community.slug, thread.pk])
    assert helpful_url in client.get(_thread_url(thread)).text
    client.force_login(veteran())
    assert helpful_url not in client.get(_thread_url(thread)).text


# --- Rate limits ---------------------------------------------------------------------


def test_new_member_starts_three_threads_on_the_first_day(client, community):
    newcomer = member_create(date_joined=timezone.now() - timedelta(hours=2))
    join(newcomer, community)
    client.force_login(newcomer)
    start = timezone.now()
    for minute in range(3):
        moment = start + timedelta(minutes=5 * minute)
        with mock.patch("community.services.threads.timezone.now", return_value=moment):
            assert (
                _new_thread(client, community, title=f"글 {minute}").status_code == 302
            )
    moment = start + timedelta(minutes=20)
    with mock.patch("community.services.threads.timezone.now", return_value=moment):
        response = _new_thread(client, community, title="네 번째")
    assert response.status_code == 400
    assert "New members can start 3 threads on their first day" in response.text
    assert "You can post again at" in response.text
    assert Thread.objects.count() == 3


def test_everybody_has_a_per_minute_limit(client, community, poster):
    assert _new_thread(client, community, title="하나").status_code == 302
    assert _new_thread(client, community, title="둘").status_code == 302
    response = _new_thread(client, community, title="셋")
    assert response.status_code == 400
    assert "You are posting too fast" in response.text
    assert Thread.objects.count() == 2


def test_per_minute_limit_on_comments_keeps_the_body(client, community, poster):
    thread = thread_make(community, veteran())
    url = reverse("comment_create", args=[community.slug, thread.pk])
    for n in range(6):
        assert client.post(url, {"body": f"댓글 {n}"}).status_code == 302
    response = client.post(
        url, {"body": "일곱 번째 댓글"}, headers={"accept-language": "en"}
    )
    assert response.status_code == 400
    assert "You are posting too fast" in response.text
    assert "일곱 번째 댓글" in response.text
    assert Comment.objects.count() == 6


# --- View counts ---------------------------------------------------------------------


def test_views_do_not_write_on_every_request(
    client, community, django_capture_on_commit_callbacks
):
    thread = thread_make(community, veteran())
    url = _thread_url(thread)
    writes = 0
    for _ in range(thread_services.VIEW_FLUSH_EVERY * 2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        if any(q["sql"].lstrip().upper().startswith("UPDATE") for q in queries):
            writes += 1
    assert writes <= 3
    thread.refresh_from_db()
    assert thread.view_count >= thread_services.VIEW_FLUSH_EVERY


def test_every_view_is_counted_once(client, community):
    # Written or still pending in the cache, never lost nor counted twice
    # (with REDIS_URL set this runs the Redis pipeline path).
    thread = thread_make(community, veteran())
    views = thread_services.VIEW_FLUSH_EVERY * 2 + 5
    for _ in range(views):
        assert client.get(_thread_url(thread)).status_code == 200
    thread.refresh_from_db()
    pending = cache.get(f"thread-views:{thread.pk}") or 0
    assert thread.view_count > 0
    assert thread.view_count + pending == views


# --- Sorting ------------------------------------------------------------------


def test_popular_favours_engagement(client, community):
    author = veteran()
    now = timezone.now()
    earlier = now - timedelta(hours=3)
    quiet = thread_make(
        community, author, title="조용한 글", created_at=now, last_activity_at=now
    )
    busy = thread_make(
        community,
        author,
        title="북적이는 글",
        created_at=earlier,
        last_activity_at=earlier,
    )
    for thread, comments in [(quiet, 0), (busy, 30)]:
        Thread.objects.filter(pk=thread.pk).update(comment_count=comments)
        thread_services._hot_refresh(thread.pk, thread.created_at)
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    popular = client.get(url, {"sort": "popular"}).text
    latest = client.get(url).text
    assert popular.index("북적이는 글") < popular.index("조용한 글")
    assert latest.index("조용한 글") < latest.index("북적이는 글")


def test_unanswered_lists_questions_without_comments(client, community):
    author = veteran()
    thread_make(community, author, title="답 없는 질문", tag=ThreadTag.QUESTION)
    answered = thread_make(community, author, title="답 있는 질문", tag="question")
    comment_make(answered, veteran())
    thread_make(community, author, title="그냥 토론", tag=ThreadTag.DISCUSSION)
    response = client.get(
        reverse("board_detail", args=[community.slug, "job-talk"]),
        {"sort": "unanswered"},
        headers={"accept-language": "en"},
    )
    html = response.text
    assert "답 없는 질문" in html
    assert "답 있는 질문" not in html and "그냥 토론" not in html
    assert 'aria-current="page">Unanswered' in html


def test_board_paginates(client, community):
    author = veteran()
    Thread.objects.bulk_create(
        Thread(
            community=community,
            board=community.boards.get(slug="job-talk"),
            author=author,
            tag="info",
            title=f"글 {n:02}",
            body="b",
            body_html="<p>b</p>",
        )
        for n in range(25)
    )
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    first = client.get(url).text
    second = client.get(url, {"page": 2}).text
    assert first.count('<li class="thread-row') == 20
    assert second.count('<li class="thread-row') == 5
    assert "page=2" in first


# --- Editing under the rules of posting ---------------------------------------------


def _edit_urls(community, thread, comment):
    return [
        (
            reverse("thread_edit", args=[community.slug, thread.pk]),
            {"title": "고친 제목", "tag": "info", "body": "고친 본문"},
        ),
        (
            reverse("comment_edit", args=[community.slug, comment.pk]),
            {"body": "고친 댓글"},
        ),
    ]


def _no_longer_allowed(community, member, how):
    if how == "muted":
        sanction(member, community, SanctionKind.MUTE)
    elif how == "left":
        Membership.objects.filter(community=community, member=member).delete()
    else:  # the community now asks for a verified work email
        Community.objects.filter(pk=community.pk).update(
            post_policy=PostPolicy.WORK_VERIFIED
        )


@pytest.mark.parametrize("how", ["muted", "left", "policy"])
def test_an_author_who_may_no_longer_post_may_not_edit(client, community, how):
    author = veteran()
    join(author, community)
    thread = thread_make(community, author, title="원래 제목", body="원래 본문")
    comment = comment_make(thread, author, body="원래 댓글")
    client.force_login(author)
    _no_longer_allowed(community, author, how)

    for url, data in _edit_urls(community, thread, comment):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url

    thread.refresh_from_db()
    comment.refresh_from_db()
    assert (thread.title, thread.body, comment.body) == (
        "원래 제목",
        "원래 본문",
        "원래 댓글",
    )
    assert not Revision.objects.exists()


def _mentioned_member():
    return member_create(display_mode=DisplayMode.NICKNAME, nickname="광고요정")


def test_a_member_is_notified_of_a_mention_in_a_thread_once_whatever_the_edits(
    client, community, poster
):
    mentioned = _mentioned_member()
    _new_thread(client, community, body="@광고요정 님 의견 궁금해요")
    thread = Thread.objects.get()
    edit = reverse("thread_edit", args=[community.slug, thread.pk])

    for body in ("이름을 지웠어요", "@광고요정 다시 불러요", "없음", "@광고요정 또"):
        response = client.post(edit, {"title": "질문", "tag": "question", "body": body})
        assert response.status_code == 302

    assert Notification.objects.filter(recipient=mentioned).count() == 1
    assert len([m for m in mail.outbox if mentioned.email in m.to]) == 1


def test_a_member_is_notified_of_a_mention_in_a_comment_once_whatever_the_edits(
    client, community, poster
):
    mentioned = _mentioned_member()
    thread = thread_make(community, poster)
    comment = comment_make(thread, poster, body="처음 댓글")
    edit = reverse("comment_edit", args=[community.slug, comment.pk])

    for body in ("@광고요정 보세요", "지웠어요", "@광고요정 다시"):
        assert client.post(edit, {"body": body}).status_code == 302

    assert list(
        Notification.objects.filter(recipient=mentioned).values_list("kind", "comment")
    ) == [(NotificationKind.MENTION, comment.pk)]
    assert len([m for m in mail.outbox if mentioned.email in m.to]) == 1


def test_edits_are_rate_limited(client, community, poster):
    thread = thread_make(community, poster)
    comment = comment_make(thread, poster)
    thread_edit = reverse("thread_edit", args=[community.slug, thread.pk])
    comment_edit = reverse("comment_edit", args=[community.slug, comment.pk])
    limit, _window = thread_services.RATE_EDITS[0]

    for number in range(limit):
        url, data = (
            (thread_edit, {"title": "제목", "tag": "info", "body": f"본문 {number}"})
            if number % 2
            else (comment_edit, {"body": f"댓글 {number}"})
        )
        assert client.post(url, data).status_code == 302

    refused = client.post(
        comment_edit, {"body": "한 번 더"}, headers={"accept-language": "en"}
    )
    assert refused.status_code == 400
    assert "You are editing too fast" in refused.text
    comment.refresh_from_db()
    assert comment.body != "한 번 더"
    assert Revision.objects.count() == limit


def test_a_muted_author_is_not_offered_the_edit_links(client, community, poster):
    thread = thread_make(community, poster)
    comment = comment_make(thread, poster)
    page = reverse("thread_detail", args=[community.slug, thread.pk])
    edits = [
        reverse("thread_edit", args=[community.slug, thread.pk]),
        reverse("comment_edit", args=[community.slug, comment.pk]),
    ]
    shown = client.get(page).text
    assert all(url in shown for url in edits)

    sanction(poster, community, SanctionKind.MUTE)

    shown = client.get(page).text
    assert not any(url in shown for url in edits)
    assert reverse("thread_delete", args=[community.slug, thread.pk]) in shown


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_edits_that_name_a_member_notify_them_once():
    """Five edits of one thread, each naming the same member, released
    together on PostgreSQL: the mention's unique constraint lets one notify."""
    from tests.events.test_concurrency import run_at_once

    community = community_make()
    author = veteran()
    join(author, community)
    mentioned = _mentioned_member()
    thread = thread_make(community, author)

    def edit(number):
        return lambda: thread_services.thread_edit(
            access=access_for(author, community),
            thread=Thread.objects.get(pk=thread.pk),
            title="제목",
            tag="info",
            body=f"@광고요정 {number}",
        )

    outcomes = run_at_once([edit(number) for number in range(5)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Notification.objects.filter(recipient=mentioned).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_edits_are_counted_one_after_the_other():
    """Eight edits by one author released together on PostgreSQL: five pass
    the limit of five a minute, three are refused; none is counted against
    a number the others have not yet written."""
    from tests.events.test_concurrency import run_at_once

    community = community_make()
    author = veteran()
    join(author, community)
    threads = [thread_make(community, author) for _ in range(8)]

    def edit(thread):
        return lambda: thread_services.thread_edit(
            access=access_for(author, community),
            thread=Thread.objects.get(pk=thread.pk),
            title="제목",
            tag="info",
            body="고친 본문",
        )

    outcomes = run_at_once([edit(thread) for thread in threads])

    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert [getattr(o, "code", o) for o in refused] == ["rate_edits"] * 3
    assert Revision.objects.filter(thread__author=author).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_new_threads_are_counted_one_after_the_other():
    """Five threads started together by one member on PostgreSQL: the limit
    of two a minute holds."""
    from tests.events.test_concurrency import run_at_once

    community = community_make()
    author = veteran()
    join(author, community)
    board = community.boards.first()

    def start(number):
        return lambda: thread_services.thread_create(
            access=access_for(author, community),
            board=board,
            tag="info",
            title=f"제목 {number}",
            body="본문",
        )

    outcomes = run_at_once([start(number) for number in range(5)])

    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert [getattr(o, "code", o) for o in refused] == ["rate_per_minute"] * 3
    assert Thread.objects.filter(author=author).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reply_to_a_member_who_is_posting_does_not_wait_for_them():
    """Two members replying to each other at the same moment deadlocked on
    PostgreSQL (a 500 after a second, seen under mixed load): each post
    holds its author's row lock, and the notice for the other inserts a row
    that references the other's member row. The standing lock must not
    conflict with that reference, so A's reply to B goes through while B's
    own post holds B's lock."""
    import threading

    from community.services.members import member_standing_lock

    community = community_make()
    a, b = veteran(), veteran()
    join(a, community)
    join(b, community)
    thread = thread_make(community, b)
    held, release = threading.Event(), threading.Event()

    def b_posting():
        try:
            with transaction.atomic():
                member_standing_lock(member=b)
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=b_posting)
    holder.start()
    outcome = []
    try:
        assert held.wait(timeout=10)

        def a_replies():
            try:
                outcome.append(
                    thread_services.comment_create(
                        access=access_for(a, community), thread=thread, body="답글"
                    )
                )
            except Exception as exc:  # pragma: no cover - reported below
                outcome.append(exc)
            finally:
                connection.close()

        replier = threading.Thread(target=a_replies)
        replier.start()
        replier.join(timeout=5)
        finished_while_held = not replier.is_alive()
    finally:
        release.set()
        holder.join(timeout=30)
        replier.join(timeout=30)
    assert finished_while_held, "A's reply waited for B's standing lock"
    assert isinstance(outcome[0], Comment)
    assert Notification.objects.filter(
        recipient=b, kind=NotificationKind.REPLY
    ).exists()


@pytest.mark.parametrize("moderator", [False, True])
def test_comment_rows_page_the_comments_as_comment_tree_does(community, moderator):
    # comment_rows reads a page and its count in one statement, written as
    # SQL: it pages as Paginator.get_page does (a number past the last or
    # below 1 is the last page, what is not a number the first), and its
    # rows equal, down to their repr, the rows built from comment_tree's
    # models (fragments._comment_row), which key the cached lists alike.
    from community.fragments import _comment_row

    thread = thread_make(community, veteran())
    authors = [veteran() for _ in range(3)]
    now = timezone.now()
    top = Comment.objects.bulk_create(
        Comment(
            thread=thread,
            author=authors[n % 3],
            body="댓글",
            body_html="<p>댓글</p>",
            # Ties in time too: the id orders them.
            created_at=now - timedelta(minutes=200 - n // 2),
            edited_at=now if n % 7 == 0 else None,
            visibility="hidden" if n % 11 == 5 else "visible",
        )
        for n in range(75)
    )
    Comment.objects.bulk_create(
        Comment(
            thread=thread,
            parent=top[n * 7 % len(top)],
            author=authors[n % 3],
            body="답글",
            body_html="<p>답글</p>",
            created_at=now - timedelta(minutes=100 - n),
            visibility="deleted" if n % 9 == 4 else "visible",
        )
        for n in range(40)
    )
    # The last: past the integers a database's OFFSET takes.
    huge = "99999999999999999999"
    for page in (
        1,
        2,
        "3",
        3,
        4,
        99,
        "99",
        0,
        -1,
        "-1",
        "x",
        None,
        "",
        2.0,
        "2.0",
        huge,
    ):
        rows, replies = selectors.comment_rows(
            thread=thread, page=page, moderator=moderator
        )
        tree = selectors.comment_tree(
            thread=thread, member=None, moderator=moderator, page=page
        )
        assert (rows.number, rows.paginator.num_pages, rows.paginator.count) == (
            tree.number,
            tree.paginator.num_pages,
            tree.paginator.count,
        ), page
        built = [_comment_row(c) for c in tree.object_list]
        assert repr(rows.object_list) == repr(built), page
        tree_replies = sorted(
            (_comment_row(r) for c in tree.object_list for r in c.reply_list),
            key=lambda row: (row.created_at, row.pk),
        )
        assert repr(replies) == repr(tree_replies), page
        assert (rows.has_next(), rows.has_previous()) == (
            tree.has_next(),
            tree.has_previous(),
        )


def test_comment_rows_of_a_thread_without_comments(community):
    thread = thread_make(community, veteran())
    for page in (1, 2, "x"):
        rows, replies = selectors.comment_rows(thread=thread, page=page)
        assert (rows.number, rows.paginator.num_pages, rows.paginator.count) == (
            1,
            1,
            0,
        )
        assert (list(rows.object_list), replies) == ([], [])


def _thread_page_values(thread) -> list:
    values = []
    for name in selectors.THREAD_PAGE_FIELDS:
        value = thread
        for part in name.split("__"):
            value = getattr(value, part, None)
        values.append(repr(value))
    return values


@pytest.mark.parametrize("helpful", [False, True])
def test_the_thread_page_reads_its_thread_as_select_related_did(
    community, django_assert_num_queries, helpful
):
    # thread_for_page reads the thread page's thread in SQL of its own: the
    # same instances as select_related and only() made (values, deferred
    # fields, related rows cached), for each reader.
    author, moderator, other = veteran(), veteran(), veteran()
    join(author, community)
    join(moderator, community, role="moderator")
    join(other, community)
    threads = {
        visibility: thread_make(community, author, visibility=visibility)
        for visibility in ("visible", "hidden", "deleted")
    }
    for thread in threads.values():
        Thread.objects.filter(pk=thread.pk).update(
            is_pinned=True, edited_at=timezone.now(), tag=ThreadTag.QUESTION
        )
        if helpful:
            answer = comment_make(thread, other)
            Thread.objects.filter(pk=thread.pk).update(helpful_comment=answer)
    elsewhere = community_make(slug="elsewhere")
    for thread in threads.values():
        for reader, is_moderator in (
            (author, False),
            (moderator, True),
            (other, False),
        ):
            for where in (community, elsewhere):
                kwargs = {
                    "thread_id": thread.pk,
                    "community": where,
                    "moderator": is_moderator,
                    "author": reader,
                }
                read = selectors.thread_for_page(**kwargs, reading=True)
                whole = (
                    Thread.objects.select_related(
                        "author", "board", "helpful_comment__author"
                    )
                    .only(*selectors.THREAD_PAGE_FIELDS)
                    .filter(pk=thread.pk)
                    .first()
                )
                shown = selectors.thread_for_page(**kwargs)
                assert (read is None) == (shown is None)
                if read is None:
                    continue
                with django_assert_num_queries(0):
                    values = _thread_page_values(read)
                    assert read.community is where
                assert values == _thread_page_values(whole)
                assert read.get_deferred_fields() == whole.get_deferred_fields()
                assert read.author.get_deferred_fields() == (
                    whole.author.get_deferred_fields()
                )
                assert (read.helpful_comment is None) == (not helpful)

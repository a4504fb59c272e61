"""Signed-in readers get the community and board pages' content from the
cached fragment signed-out readers share (community.fragments.community_body,
board_body), keyed by their standing in the community: each sees what a full
render of the partial shows them, whoever filled the cache before, and a
change of their standing (a join, a leave, a mute, a ban, a lift, a role
change, a sanction ending by time) or of the content shows at the next
request. The door reads the community and the reader's membership and
sanctions in one query (community.access.community_access): what it says is
what access_for says."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from community import fragments
from community.access import access_for, community_access
from community.models import Community, Membership, MembershipRole, SanctionKind
from community.views import communities as community_views
from community.views import threads as thread_views
from tests.community.forum_data import (
    community_make,
    join,
    sanction,
    thread_make,
    veteran,
)

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _main(html: str) -> str:
    """The page's content, its CSRF tokens made alike (each request has its
    own)."""
    main = html[html.index('<main id="main"') : html.index("</main>")]
    return TOKEN.sub('name="csrfmiddlewaretoken" value="…"', main)


def _full_render(monkeypatch, client, url: str) -> str:
    """The page with its content rendered in the page from the view's own
    context (the partial, no fragment): what the reader must see."""

    def inline_community(*, request, context):
        context["recent_rows"] = fragments.thread_rows(
            context["recent_threads"], community=context["community"]
        )

    def inline_board(*, request, context):
        return None

    with monkeypatch.context() as patch:
        patch.setattr(community_views.fragments, "community_body", inline_community)
        patch.setattr(thread_views.fragments, "board_body", inline_board)
        return _main(client.get(url).text)


@pytest.fixture
def forum():
    community = community_make()
    owner = veteran()
    join(owner, community, MembershipRole.OWNER)
    thread_make(community, owner, title="첫 스레드")
    return community, owner


def _pages(community):
    return [
        reverse("community_detail", args=[community.slug]),
        reverse("board_detail", args=[community.slug, "job-talk"]),
    ]


STANDINGS = ["owner", "moderator", "member", "muted", "outsider"]


def _reader(community, standing):
    reader = veteran()
    if standing == "outsider":
        return reader
    role = {"owner": MembershipRole.OWNER, "moderator": MembershipRole.MODERATOR}
    join(reader, community, role.get(standing, MembershipRole.MEMBER))
    if standing == "muted":
        sanction(reader, community, SanctionKind.MUTE)
    return reader


@pytest.mark.parametrize("standing", STANDINGS)
def test_each_reader_sees_what_a_full_render_shows_whoever_came_before(
    client, monkeypatch, forum, standing
):
    community, _owner = forum
    # Every reader first: a join changes the page (its member count).
    readers = {other: _reader(community, other) for other in STANDINGS}
    for url in _pages(community):
        # Readers of every other standing fill the cache first.
        for other in STANDINGS:
            if other != standing:
                client.force_login(readers[other])
                client.get(url)
        client.logout()
        client.get(url)
        client.force_login(readers[standing])
        built = _main(client.get(url).text)
        assert built == _full_render(monkeypatch, client, url)


def test_the_body_forms_carry_the_readers_own_token_and_work(client, forum):
    community, _owner = forum
    member, other = _reader(community, "member"), _reader(community, "member")
    url = reverse("community_detail", args=[community.slug])
    client.force_login(other)
    client.get(url)  # another member's request fills the fragment
    client.force_login(member)
    client.get(url)
    html = client.get(url).text
    assert "moim-csrf-token-of-this-request" not in html
    assert client.cookies["csrftoken"].value
    # The leave form of the kept body posts with this reader's token.
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    page = strict.get(url).text
    form = page[page.index(reverse("community_leave", args=[community.slug])) :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    response = strict.post(
        reverse("community_leave", args=[community.slug]),
        {"csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(member=member, community=community).exists()


@pytest.mark.parametrize("page", [0, 1], ids=["community", "board"])
def test_text_that_spells_the_body_placeholder_is_never_filled_with_the_token(
    client, forum, page
):
    # Issue 13, defect 7, for the bodies: the placeholder is the same for
    # every reader (it is drawn from SECRET_KEY, which the development key
    # makes public), so a thread title may spell it. Only the token fields
    # the partial rendered are filled in, never a member's text.
    community, _owner = forum
    bait = f"자료 {fragments._csrf_placeholder()}"
    thread_make(community, veteran(), title=bait)
    reader = _reader(community, "member")
    url = _pages(community)[page]
    client.force_login(_reader(community, "member"))
    client.get(url)  # another reader fills the fragment
    client.force_login(reader)

    html = client.get(url).text

    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert bait in html
    assert not any(f"자료 {token}" in html for token in tokens)


def test_text_that_spells_a_thread_bodys_placeholder_or_slots_stays_text(client, forum):
    # Issue 13, defect 7, for a member's kept thread body: the CSRF
    # placeholder and the slots (view count, comments) in the thread's own
    # text are shown as written, never filled in.
    community, _owner = forum
    spelled = [
        fragments._csrf_placeholder(),
        fragments._slot("views"),
        fragments._slot("comments"),
        fragments._slot("views").removeprefix("<!--").removesuffix("-->"),
    ]
    thread = thread_make(
        community, veteran(), title=f"자료 {spelled[0]}", body=" ".join(spelled)
    )
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    reader = _reader(community, "member")
    client.force_login(_reader(community, "member"))
    client.get(url)  # another reader fills the fragment
    client.force_login(reader)

    html = client.get(url).text

    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert f"자료 {spelled[0]}" in html
    fields = [
        field.format(token) for field in fragments.TOKEN_FIELDS for token in tokens
    ]
    assert not any(
        token in re.sub("|".join(map(re.escape, fields)), "", html) for token in tokens
    )
    assert html.count(escape(spelled[1])) == 1
    assert html.count(escape(spelled[2])) == 1
    assert spelled[3] in html


def _states(client, url):
    html = client.get(url).text
    return {
        "new thread": reverse("thread_create", args=[url.split("/")[2], "job-talk"])
        in html,
        "moderation": "/moderation/" in html,
        "join": reverse("community_join", args=[url.split("/")[2]]) in html,
        "leave": reverse("community_leave", args=[url.split("/")[2]]) in html,
    }


def test_a_change_of_standing_shows_at_the_next_request(client, forum):
    """Each path that changes what a reader may do: the body changes at
    once, though the previous one is still in the cache."""
    from community.services.communities import community_join, community_leave
    from community.services.moderation import (
        membership_role_set,
        sanction_impose,
        sanction_lift,
    )

    community, owner = forum
    member = veteran()
    url = reverse("community_detail", args=[community.slug])
    client.force_login(member)

    def owner_access():
        return access_for(owner, Community.objects.get(pk=community.pk))

    assert _states(client, url)["join"]
    community_join(access=access_for(member, community))
    assert _states(client, url) == {
        "new thread": True,
        "moderation": False,
        "join": False,
        "leave": True,
    }
    membership_role_set(
        access=owner_access(), member=member, role=MembershipRole.MODERATOR
    )
    assert _states(client, url)["moderation"]
    membership_role_set(access=owner_access(), member=member, role="member")
    assert not _states(client, url)["moderation"]
    sanction_impose(
        access=owner_access(),
        member=member,
        kind=SanctionKind.MUTE,
        reason="규칙 위반",
        ends_at=timezone.now() + timedelta(days=1),
    )
    assert not _states(client, url)["new thread"]
    muted = access_for(member, community).muted
    sanction_lift(access=owner_access(), sanction=muted)
    assert _states(client, url)["new thread"]
    sanction_impose(
        access=owner_access(),
        member=member,
        kind=SanctionKind.BAN,
        reason="규칙 위반",
        ends_at=timezone.now() + timedelta(days=1),
    )
    assert client.get(url).status_code == 403
    # A ban also ends the membership: lifted, the member may join again.
    sanction_lift(access=owner_access(), sanction=access_for(member, community).banned)
    assert _states(client, url)["join"]
    community_join(access=access_for(member, community))
    assert _states(client, url)["leave"]
    community_leave(access=access_for(member, community))
    assert _states(client, url)["join"]


def test_a_sanction_that_ends_by_time_ends_at_its_time(client, forum):
    community, _owner = forum
    member = _reader(community, "member")
    mute = sanction(
        member,
        community,
        SanctionKind.MUTE,
        ends_at=timezone.now() + timedelta(hours=1),
    )
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    client.force_login(member)
    assert not _states(client, url)["new thread"]
    type(mute).objects.filter(pk=mute.pk).update(
        ends_at=timezone.now() - timedelta(seconds=1)
    )
    assert _states(client, url)["new thread"]


def test_a_new_thread_shows_to_members_at_once(client, forum):
    community, owner = forum
    member = _reader(community, "member")
    client.force_login(member)
    for url in _pages(community):
        client.get(url)
        thread_make(community, owner, title=f"새 스레드 {url}")
        assert f"새 스레드 {url}" in client.get(url).text


@pytest.mark.parametrize(
    "standing", ["anonymous", "outsider", "member", "moderator", "owner", "muted"]
)
def test_the_door_reads_what_access_for_says_in_one_query(forum, standing):
    from django.contrib.auth.models import AnonymousUser

    community, _owner = forum
    reader = (
        AnonymousUser() if standing == "anonymous" else _reader(community, standing)
    )
    if standing == "member":
        # Sanctions that no longer hold, and other members' and communities'.
        sanction(reader, community, ends_at=timezone.now() - timedelta(minutes=1))
        sanction(reader, community, lifted_at=timezone.now())
        sanction(reader, community_make())
        sanction(veteran(), community)
    if standing == "muted":
        sanction(reader, community, ends_at=timezone.now() + timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        found = community_access(slug=community.slug, member=reader)
    assert len(queries) == 1
    expected = access_for(reader, community)
    assert found.community == community
    assert found.membership == expected.membership
    assert found.banned == expected.banned
    assert found.muted == expected.muted
    for name in ("is_member", "is_moderator", "is_owner", "can_read", "post_refusal"):
        assert getattr(found, name) == getattr(expected, name), name
    if standing == "muted":
        assert found.muted.ends_at == expected.muted.ends_at
        assert found.banned is not None and found.banned.reason == "규칙 위반"


def test_the_door_answers_404_for_no_such_community(client):
    assert community_access(slug="no-such-forum", member=veteran()) is None
    assert client.get("/c/no-such-forum/").status_code == 404


# --- The thread page ------------------------------------------------------

VIEWS = re.compile(r"조회 \d+|\d+ views?")
HX_TOKEN = re.compile(r'"X-CSRFToken": "[^"]*"')


def _thread_main(html: str) -> str:
    return VIEWS.sub("views", HX_TOKEN.sub('"X-CSRFToken": "…"', _main(html)))


def _thread_full_render(monkeypatch, client, url: str) -> str:
    """The thread page with its body rendered in the page (no kept body)."""
    with monkeypatch.context() as patch:
        patch.setattr(thread_views.fragments, "thread_body", lambda **_kwargs: None)
        return _thread_main(client.get(url).text)


@pytest.fixture
def busy_thread():
    """A question by a moderator who reacted to it, bookmarked it and wrote
    comments; other members' comments and replies, reactions of several
    members, the helpful answer chosen."""
    from community.models import Bookmark, Reaction, Thread, ThreadTag
    from tests.community.forum_data import comment_make

    community = community_make()
    author = veteran(nickname="질문자")
    join(author, community, MembershipRole.MODERATOR)
    others = [veteran() for _ in range(3)]
    for other in others:
        join(other, community)
    thread = thread_make(community, author, tag=ThreadTag.QUESTION, title="질문")
    tops = [
        comment_make(thread, author if n % 3 == 0 else others[n % 2], body=f"댓글 {n}")
        for n in range(5)
    ]
    comment_make(thread, others[2], parent=tops[1], body="답글")
    Thread.objects.filter(pk=thread.pk).update(helpful_comment=tops[1])
    Reaction.objects.create(member=author, thread=thread, kind="empathy")
    Reaction.objects.create(member=author, comment=tops[1], kind="helpful")
    Reaction.objects.create(member=others[0], thread=thread, kind="helpful")
    Reaction.objects.create(member=others[0], comment=tops[2], kind="empathy")
    Bookmark.objects.create(member=author, thread=thread)
    thread.refresh_from_db()
    return community, thread, author, others


def test_a_members_thread_page_is_what_a_full_render_shows_whoever_came_before(
    client, monkeypatch, busy_thread
):
    """The body is kept per standing, authorship of the thread and marks on
    it: readers of every kind take turns, each sees what a full render of
    the page shows them, the view count and CSRF tokens aside."""
    from community.models import Bookmark, Reaction

    community, thread, author, others = busy_thread
    muted = _reader(community, "muted")
    outsider = _reader(community, "outsider")
    plain_moderator = _reader(community, "moderator")
    # Marks on the thread like its author's: only the authorship differs.
    Reaction.objects.create(member=plain_moderator, thread=thread, kind="empathy")
    Bookmark.objects.create(member=plain_moderator, thread=thread)
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    readers = [others[1], others[0], author, muted, outsider, plain_moderator]
    for reader in [*readers, *reversed(readers)]:
        client.force_login(reader)
        built = _thread_main(client.get(url).text)
        assert "moim-slot" not in built and "moim-csrf" not in built
        assert built == _thread_full_render(monkeypatch, client, url), reader
    # A bookmark of one's own shows at the next request.
    client.force_login(others[1])
    Bookmark.objects.create(member=others[1], thread=thread)
    built = _thread_main(client.get(url).text)
    assert 'aria-pressed="true">북마크됨' in built
    assert built == _thread_full_render(monkeypatch, client, url)


def test_a_thread_body_kept_under_another_secret_key_is_not_served(
    client, settings, busy_thread
):
    community, thread, _author, others = busy_thread
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    client.force_login(others[0])
    client.get(url)
    fragments._csrf_placeholder.cache_clear()
    fragments._slot.cache_clear()
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    try:
        html = client.get(url).text
    finally:
        fragments._csrf_placeholder.cache_clear()
        fragments._slot.cache_clear()
    assert "moim-slot" not in html and "moim-csrf" not in html


def test_a_members_kept_thread_body_carries_their_own_htmx_token(client, busy_thread):
    # Review M5: the kept body's hx-headers attribute held the placeholder
    # (drawn from the secret key) on every member's page, and htmx requests
    # sent it as the token. It holds the member's own token now, which
    # passes the CSRF check.
    from django.test import Client

    from community.models import Bookmark

    community, thread, _author, others = busy_thread
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    client.force_login(others[1])
    client.get(url)  # another member fills the kept body
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(others[0])

    for _ in range(2):  # the first fills (another standing), the next reads
        html = strict.get(url).text
        assert "moim-csrf" not in html
        assert fragments._csrf_placeholder() not in html
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', html)[1]
    response = strict.post(
        reverse("thread_bookmark", args=[community.slug, thread.pk]),
        HTTP_X_CSRFTOKEN=token,
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code in (200, 302)
    assert Bookmark.objects.filter(member=others[0], thread=thread).exists()

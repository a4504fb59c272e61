"""Who may see and do what on the forum pages: the directory, community and
board pages, thread pages and every write, in each post policy."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.models import (
    DisplayMode,
    Membership,
    MembershipRole,
    PostPolicy,
    Revision,
    SanctionKind,
    Thread,
    Visibility,
)
from community.roles import JobRole
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


def login(client, member):
    client.force_login(member)
    return client


# --- Directory ------------------------------------------------------------------


def test_directory_lists_every_community_by_role_family_with_count_and_role(client):
    hr = community_make(name="HR 모임", role=JobRole.HR)
    backend = community_make(name="백엔드 모임", role=JobRole.BACKEND)
    join(member_create(), backend)
    html = client.get("/", headers={"accept-language": "en"}).text
    assert reverse("community_detail", args=[hr.slug]) in html
    assert reverse("community_detail", args=[backend.slug]) in html
    # Families in their fixed order, each community under its own.
    people, engineering = html.index("People and HR"), html.index("Engineering")
    assert people < html.index("HR 모임") < engineering < html.index("백엔드 모임")
    assert "Backend development" in html
    assert "1 member" in html


def test_directory_shows_my_communities_first(client):
    member = member_create()
    mine = community_make(name="내 커뮤니티")
    community_make(name="가 다른 커뮤니티")
    join(member, mine)
    html = login(client, member).get("/", headers={"accept-language": "en"})
    html = html.content.decode()
    assert "My communities" in html
    assert html.index("My communities") < html.index("가 다른 커뮤니티")
    assert html.index("내 커뮤니티") < html.index("가 다른 커뮤니티")


# --- Community page ---------------------------------------------------------------


def test_community_page_shows_policies_boards_moderators_and_recent_threads(client):
    owner = member_create(real_name="방장")
    community = community_make(
        owner=owner,
        description="백엔드 개발자 공간",
        rules="서로 존중해요.",
        requires_real_names=True,
        post_policy=PostPolicy.WORK_VERIFIED,
    )
    thread_make(community, owner, title="첫 글입니다")
    response = client.get(
        reverse("community_detail", args=[community.slug]),
        headers={"accept-language": "en"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "백엔드 개발자 공간",
        "서로 존중해요.",
        "Real names required",
        "Members verified at work",
        "방장",
        "첫 글입니다",
        # The default board's name, in the reader's language.
        "Job talk",
        "1 member",
    ]:
        assert text in html, text


def test_members_only_community_refuses_non_members_and_offers_to_join(client):
    community = community_make(public_read=False)
    url = reverse("community_detail", args=[community.slug])
    assert client.get(url).status_code == 403
    outsider = member_create()
    response = login(client, outsider).get(url)
    assert response.status_code == 403
    assert reverse("community_join", args=[community.slug]) in response.text
    join(outsider, community)
    assert client.get(url).status_code == 200


def test_banned_member_cannot_read_even_a_public_community(client):
    community = community_make()
    banned = member_create()
    sanction(banned, community, SanctionKind.BAN)
    response = login(client, banned).get(
        reverse("community_detail", args=[community.slug])
    )
    assert response.status_code == 403


def test_expired_ban_no_longer_applies(client):
    community = community_make()
    member = member_create()
    sanction(member, community, ends_at=timezone.now() - timedelta(hours=1))
    response = login(client, member).get(
        reverse("community_detail", args=[community.slug])
    )
    assert response.status_code == 200


def test_staff_reads_a_members_only_community(client):
    community = community_make(public_read=False)
    response = login(client, member_create(is_staff=True)).get(
        reverse("community_detail", args=[community.slug])
    )
    assert response.status_code == 200


def test_unknown_community_is_404(client):
    assert client.get("/c/nope/").status_code == 404


# --- Join and leave ---------------------------------------------------------------


def test_join_and_leave_move_the_member_count(client):
    community = community_make()
    member = member_create()
    login(client, member)
    response = client.post(reverse("community_join", args=[community.slug]))
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.member_count == 1
    assert Membership.objects.filter(community=community, member=member).exists()
    client.post(reverse("community_leave", args=[community.slug]))
    community.refresh_from_db()
    assert community.member_count == 0
    assert not Membership.objects.filter(community=community, member=member).exists()


def test_joining_twice_keeps_one_membership(client):
    community = community_make()
    login(client, member_create())
    url = reverse("community_join", args=[community.slug])
    client.post(url)
    client.post(url)
    community.refresh_from_db()
    assert community.member_count == 1


def test_a_members_only_community_can_be_joined(client):
    community = community_make(public_read=False)
    login(client, member_create())
    client.post(reverse("community_join", args=[community.slug]))
    url = reverse("community_detail", args=[community.slug])
    assert client.get(url).status_code == 200


def test_a_non_member_joins_from_the_thread_page_and_returns_to_it(client):
    community = community_make()
    thread = thread_make(community, veteran())
    outsider = veteran()
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    page = login(client, outsider).get(url, headers={"accept-language": "en"})
    join_url = reverse("community_join", args=[community.slug])
    assert f'action="{join_url}"' in page.text
    assert f'name="next" value="{url}"' in page.text

    response = client.post(join_url, {"next": url})

    assert response.status_code == 302
    assert response["Location"] == url
    assert Membership.objects.filter(community=community, member=outsider).exists()
    after = client.get(url).text
    assert reverse("comment_create", args=[community.slug, thread.pk]) in after


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_joining_ignores_a_next_that_leaves_the_site(client, next_url):
    community = community_make()
    login(client, member_create())

    response = client.post(
        reverse("community_join", args=[community.slug]), {"next": next_url}
    )

    assert response["Location"] == reverse("community_detail", args=[community.slug])


def test_banned_member_cannot_join(client):
    community = community_make()
    banned = member_create()
    sanction(banned, community)
    response = login(client, banned).post(
        reverse("community_join", args=[community.slug])
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(member=banned).exists()


def test_owner_cannot_leave(client):
    owner = member_create()
    community = community_make(owner=owner)
    login(client, owner).post(reverse("community_leave", args=[community.slug]))
    assert Membership.objects.filter(member=owner, community=community).exists()


# --- Board page -------------------------------------------------------------------


def test_board_lists_threads_with_tags_markers_and_counts(client):
    community = community_make()
    author = member_create(
        display_mode=DisplayMode.NICKNAME, nickname="광고요정", real_name="김실명"
    )
    thread_make(community, author, title="고정된 글", is_pinned=True, is_locked=True)
    thread_make(community, author, title="보통 글", comment_count=7, view_count=42)
    response = client.get(
        reverse("board_detail", args=[community.slug, "job-talk"]),
        headers={"accept-language": "en"},
    )
    html = response.text
    assert response.status_code == 200
    assert html.index("고정된 글") < html.index("보통 글")
    assert "Pinned" in html and "Locked" in html and "Discussion" in html
    assert "광고요정" in html and "김실명" not in html
    assert ">42<" in html and ">7<" in html
    assert 'aria-current="page">Latest' in html


def test_board_in_a_real_name_community_shows_real_names(client):
    community = community_make(requires_real_names=True)
    author = member_create(
        display_mode=DisplayMode.NICKNAME, nickname="광고요정", real_name="김실명"
    )
    thread_make(community, author)
    html = client.get(reverse("board_detail", args=[community.slug, "job-talk"])).text
    assert "김실명" in html and "광고요정" not in html


def test_board_offers_new_thread_only_to_those_who_may_post(client):
    community = community_make(post_policy=PostPolicy.MATCHING_ROLE)
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    new_url = reverse("thread_create", args=[community.slug, "job-talk"])
    assert new_url not in client.get(url).text
    hr = member_create(role=JobRole.HR)
    join(hr, community)
    response = login(client, hr).get(url, headers={"accept-language": "en"})
    assert new_url not in response.text
    assert "Only members whose job role is" in response.text
    backend = member_create(role=JobRole.BACKEND)
    join(backend, community)
    assert new_url in login(client, backend).get(url).text


def test_unknown_board_is_404(client):
    community = community_make()
    assert (
        client.get(reverse("board_detail", args=[community.slug, "x"])).status_code
        == 404
    )


def test_board_of_a_members_only_community_refuses_non_members(client):
    community = community_make(public_read=False)
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    assert client.get(url).status_code == 403
    assert login(client, member_create()).get(url).status_code == 403


# --- Posting in each policy -------------------------------------------------------


def _work_verified():
    return {
        "work_email": f"dev{timezone.now().timestamp()}@corp.example",
        "work_email_verified_at": timezone.now(),
    }


@pytest.mark.parametrize(
    ("policy", "profile", "status"),
    [
        (PostPolicy.VERIFIED, {}, 302),
        (PostPolicy.MATCHING_ROLE, {"role": JobRole.BACKEND}, 302),
        (PostPolicy.MATCHING_ROLE, {"role": JobRole.HR}, 403),
        (PostPolicy.WORK_VERIFIED, {}, 403),
        (PostPolicy.WORK_VERIFIED, "work", 302),
    ],
)
def test_thread_create_follows_the_post_policy(client, policy, profile, status):
    community = community_make(post_policy=policy, role=JobRole.BACKEND)
    member = veteran(**(_work_verified() if profile == "work" else profile))
    join(member, community)
    response = login(client, member).post(
        reverse("thread_create", args=[community.slug, "job-talk"]),
        {"title": "질문", "tag": "question", "body": "내용"},
    )
    assert response.status_code == status
    assert Thread.objects.filter(author=member).exists() == (status == 302)


@pytest.mark.parametrize("policy", [PostPolicy.MATCHING_ROLE, PostPolicy.WORK_VERIFIED])
def test_moderators_post_whatever_the_policy(client, policy):
    community = community_make(post_policy=policy, role=JobRole.BACKEND)
    moderator = veteran(role=JobRole.HR)
    join(moderator, community, MembershipRole.MODERATOR)
    response = login(client, moderator).post(
        reverse("thread_create", args=[community.slug, "job-talk"]),
        {"title": "공지", "tag": "info", "body": "내용"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["non_member", "muted", "banned"])
def test_thread_create_is_refused_with_the_reason(client, who):
    community = community_make()
    member = veteran()
    if who != "non_member":
        join(member, community)
        sanction(member, community, SanctionKind.MUTE if who == "muted" else "ban")
    login(client, member)
    url = reverse("thread_create", args=[community.slug, "job-talk"])
    page = client.get(url, headers={"accept-language": "en"})
    response = client.post(
        url,
        {"title": "t", "tag": "info", "body": "b"},
        headers={"accept-language": "en"},
    )
    assert page.status_code == 403
    assert response.status_code == 403
    expected = {
        "non_member": "Join this community",
        "muted": "You are muted",
        "banned": "You are banned",
    }[who]
    assert expected in response.text
    assert not Thread.objects.exists()


def test_muted_until_a_date_says_until_when(client):
    community = community_make()
    member = veteran()
    join(member, community)
    sanction(
        member, community, SanctionKind.MUTE, ends_at=timezone.now() + timedelta(days=2)
    )
    response = login(client, member).get(
        reverse("board_detail", args=[community.slug, "job-talk"]),
        headers={"accept-language": "en"},
    )
    assert "You are muted in this community until" in response.text


def test_muted_member_still_reads(client):
    community = community_make()
    member = veteran()
    join(member, community)
    sanction(member, community, SanctionKind.MUTE)
    thread = thread_make(community, member_create())
    response = login(client, member).get(
        reverse("thread_detail", args=[community.slug, thread.pk])
    )
    assert response.status_code == 200
    assert 'class="card comment-form"' not in response.text


def test_muted_member_cannot_comment_or_react(client):
    community = community_make()
    member = veteran()
    join(member, community)
    sanction(member, community, SanctionKind.MUTE)
    thread = thread_make(community, member_create())
    login(client, member)
    comment = client.post(
        reverse("comment_create", args=[community.slug, thread.pk]), {"body": "hi"}
    )
    react = client.post(
        reverse("thread_react", args=[community.slug, thread.pk, "empathy"])
    )
    assert comment.status_code == 403
    assert react.status_code == 403
    thread.refresh_from_db()
    assert thread.comment_count == 0 and thread.empathy_count == 0


def test_anonymous_thread_form_redirects_to_sign_in(client):
    community = community_make()
    response = client.get(reverse("thread_create", args=[community.slug, "job-talk"]))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


# --- Thread page ------------------------------------------------------------------


@pytest.mark.parametrize("visibility", [Visibility.HIDDEN, Visibility.DELETED])
def test_removed_thread_is_404_except_for_moderators(client, visibility):
    community = community_make()
    thread = thread_make(community, member_create(), visibility=visibility)
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    assert client.get(url).status_code == 404
    member = member_create()
    join(member, community)
    assert login(client, member).get(url).status_code == 404
    moderator = member_create()
    join(moderator, community, MembershipRole.MODERATOR)
    response = login(client, moderator).get(url, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert str(visibility.label) in response.text


def test_hidden_comment_is_shown_marked_to_moderators_only(client):
    community = community_make()
    thread = thread_make(community, member_create())
    comment_make(thread, member_create(), body="숨긴 댓글", visibility="hidden")
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    assert "숨긴 댓글" not in client.get(url).text
    moderator = member_create()
    join(moderator, community, MembershipRole.MODERATOR)
    response = login(client, moderator).get(url, headers={"accept-language": "en"})
    assert "숨긴 댓글" in response.text
    assert "Hidden by a moderator" in response.text


def test_thread_of_another_community_is_404(client):
    community, other = community_make(), community_make()
    thread = thread_make(other, member_create())
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    assert client.get(url).status_code == 404


def test_thread_in_a_members_only_community_refuses_non_members(client):
    community = community_make(public_read=False)
    thread = thread_make(community, member_create())
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    assert client.get(url).status_code == 403
    assert login(client, member_create()).get(url).status_code == 403


# --- Editing and deleting ---------------------------------------------------------


def test_author_edits_a_thread_and_moderators_see_the_history(client):
    community = community_make()
    author = veteran()
    join(author, community)
    thread = thread_make(community, author, title="처음 제목", body="처음 본문")
    login(client, author)
    edit_url = reverse("thread_edit", args=[community.slug, thread.pk])
    assert client.get(edit_url).status_code == 200
    response = client.post(
        edit_url, {"title": "바뀐 제목", "tag": "info", "body": "바뀐 본문"}
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.title == "바뀐 제목" and thread.edited_at is not None
    assert Revision.objects.filter(thread=thread, body="처음 본문").exists()
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    page = client.get(url, headers={"accept-language": "en"}).text
    assert "edited" in page and "처음 본문" not in page
    moderator = member_create()
    join(moderator, community, MembershipRole.MODERATOR)
    page = login(client, moderator).get(url).text
    assert "처음 본문" in page


def test_editing_someone_elses_thread_or_comment_is_403(client):
    community = community_make()
    thread = thread_make(community, member_create(), title="원래")
    comment = comment_make(thread, member_create(), body="원래 댓글")
    intruder = veteran()
    join(intruder, community, MembershipRole.MODERATOR)
    login(client, intruder)
    urls = [
        reverse("thread_edit", args=[community.slug, thread.pk]),
        reverse("comment_edit", args=[community.slug, comment.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
        assert (
            client.post(url, {"title": "x", "tag": "info", "body": "x"}).status_code
            == 403
        )
    for name, pk in [("thread_delete", thread.pk), ("comment_delete", comment.pk)]:
        assert client.post(reverse(name, args=[community.slug, pk])).status_code == 403
    thread.refresh_from_db()
    comment.refresh_from_db()
    assert thread.title == "원래" and thread.visibility == Visibility.VISIBLE
    assert comment.body == "원래 댓글" and comment.visibility == Visibility.VISIBLE


def test_author_deletes_a_thread_and_it_leaves_the_board(client):
    community = community_make()
    author = veteran()
    join(author, community)
    thread = thread_make(community, author, title="지울 글")
    login(client, author)
    response = client.post(reverse("thread_delete", args=[community.slug, thread.pk]))
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.visibility == Visibility.DELETED
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    assert client.get(url).status_code == 404
    board = client.get(reverse("board_detail", args=[community.slug, "job-talk"]))
    assert "지울 글" not in board.text


def test_author_edits_and_deletes_a_comment(client):
    community = community_make()
    author = veteran()
    join(author, community)
    thread = thread_make(community, member_create())
    comment = comment_make(thread, author, body="오타 있는 댓글")
    login(client, author)
    response = client.post(
        reverse("comment_edit", args=[community.slug, comment.pk]),
        {"body": "고친 댓글"},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "고친 댓글" and comment.edited_at is not None
    client.post(reverse("comment_delete", args=[community.slug, comment.pk]))
    comment.refresh_from_db()
    thread.refresh_from_db()
    assert comment.visibility == Visibility.DELETED
    assert thread.comment_count == 0


# --- Every write: POST only, signed in, CSRF-protected -----------------------------


def _write_urls(community, thread, comment):
    slug = community.slug
    return [
        reverse("community_join", args=[slug]),
        reverse("community_leave", args=[slug]),
        reverse("thread_delete", args=[slug, thread.pk]),
        reverse("comment_create", args=[slug, thread.pk]),
        reverse("comment_delete", args=[slug, comment.pk]),
        reverse("thread_react", args=[slug, thread.pk, "empathy"]),
        reverse("comment_react", args=[slug]),
        reverse("thread_bookmark", args=[slug, thread.pk]),
        reverse("thread_helpful", args=[slug, thread.pk]),
    ]


def test_writes_refuse_get(client):
    community = community_make()
    thread = thread_make(community, member_create())
    comment = comment_make(thread, member_create())
    login(client, member_create())
    for url in _write_urls(community, thread, comment):
        assert client.get(url).status_code == 405, url


def test_anonymous_writes_redirect_to_sign_in(client):
    community = community_make()
    thread = thread_make(community, member_create())
    comment = comment_make(thread, member_create())
    urls = [
        *_write_urls(community, thread, comment),
        reverse("thread_create", args=[community.slug, "job-talk"]),
        reverse("thread_edit", args=[community.slug, thread.pk]),
        reverse("comment_edit", args=[community.slug, comment.pk]),
    ]
    for url in urls:
        response = client.post(url, {"body": "x"})
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url
    assert Thread.objects.get(pk=thread.pk).comment_count == 1


def test_writes_need_the_csrf_token():
    community = community_make()
    member = veteran()
    join(member, community)
    thread = thread_make(community, member_create())
    comment = comment_make(thread, member_create())
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    for url in _write_urls(community, thread, comment):
        assert client.post(url, {"body": "x"}).status_code == 403, url


def test_bookmarks_page_needs_sign_in(client):
    response = client.get(reverse("bookmark_list"))
    assert response.status_code == 302

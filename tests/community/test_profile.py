"""A member's profile shows who they are and what they do: a bio they edit,
their communities, their latest threads and comments that the reader may
see; the moderators' "earlier nicknames" block only when there are any; and
one link to the profile in the navigation."""

import pytest
from django.urls import reverse

from community.models import DisplayMode, MembershipRole, Visibility
from tests.community.forum_data import (
    comment_make,
    community_make,
    join,
    thread_make,
)
from tests.factories import member_create

pytestmark = pytest.mark.django_db


def _profile(client, member, viewer=None) -> str:
    if viewer is None:
        client.logout()
    else:
        client.force_login(viewer)
    response = client.get(
        reverse("member_detail", args=[member.public_id]),
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    return response.text


def test_a_member_writes_a_bio_that_their_profile_shows(client):
    member = member_create()
    client.force_login(member)
    response = client.post(
        reverse("profile_edit"),
        {
            "real_name": member.real_name,
            "nickname": "",
            "display_mode": "real_name",
            "role": member.role,
            "experience": member.experience,
            "company": "",
            "bio": "B2B 마케터예요.\n리텐션에 관심이 많아요.",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.bio == "B2B 마케터예요.\n리텐션에 관심이 많아요."
    html = _profile(client, member)
    assert "B2B 마케터예요.<br>리텐션에 관심이 많아요." in html


def test_the_profile_lists_the_members_communities(client):
    member = member_create()
    community = community_make(name="그로스 해커스")
    join(member, community)
    assert "그로스 해커스" in _profile(client, member)


def test_the_profile_shows_recent_threads_and_comments_the_reader_may_see(client):
    member = member_create()
    open_community = community_make()
    closed = community_make(public_read=False)
    join(member, open_community)
    join(member, closed)
    thread = thread_make(open_community, member, title="공개된 글")
    thread_make(closed, member, title="멤버만 보는 글")
    thread_make(open_community, member, title="숨겨진 글", visibility=Visibility.HIDDEN)
    comment_make(thread, member, body="공개 댓글이에요")
    html = _profile(client, member)
    assert "공개된 글" in html and "공개 댓글이에요" in html
    assert "멤버만 보는 글" not in html
    assert "숨겨진 글" not in html
    insider = member_create()
    join(insider, closed)
    assert "멤버만 보는 글" in _profile(client, member, insider)


def test_a_nickname_profile_is_not_tied_to_real_name_posts(client):
    member = member_create(nickname="그림자", display_mode=DisplayMode.NICKNAME)
    real_names = community_make(requires_real_names=True)
    join(member, real_names)
    thread_make(real_names, member, title="실명으로 쓴 글")
    html = _profile(client, member)
    assert "그림자" in html
    assert "실명으로 쓴 글" not in html
    assert member.real_name not in html


def test_no_empty_earlier_nicknames_block_for_moderators(client):
    member = member_create()
    moderator = member_create()
    community = community_make()
    join(member, community)
    join(moderator, community, MembershipRole.MODERATOR)
    html = _profile(client, member, moderator)
    assert "Earlier nicknames" not in html


def test_the_navigation_has_one_link_to_the_members_profile(client):
    member = member_create()
    client.force_login(member)
    html = client.get("/", headers={"accept-language": "en"}).text
    nav = html[html.index('<nav class="nav"') : html.index("</nav>")]
    assert nav.count(reverse("member_detail", args=[member.public_id])) == 1
    assert reverse("profile_edit") not in nav
    # The profile itself leads on to editing it.
    assert reverse("profile_edit") in _profile(client, member, member)


# Session, member, the navigation's unread count; the member; their
# communities, threads, comments; whether the reader moderates them.
PROFILE_QUERIES = 8


@pytest.mark.parametrize("size", [2, 20])
def test_the_profile_queries_do_not_grow(client, django_assert_max_num_queries, size):
    member = member_create()
    viewer = member_create()
    for n in range(size):
        community = community_make()
        join(member, community)
        join(viewer, community)
        thread = thread_make(community, member, title=f"글 {n}")
        comment_make(thread, member)
    client.force_login(viewer)
    url = reverse("member_detail", args=[member.public_id])
    with django_assert_max_num_queries(PROFILE_QUERIES):
        response = client.get(url)
    assert response.text.count('href="/c/') >= size

"""The composer's helpers: a live preview rendered exactly as the post will
be (same renderer, sanitiser and mention links; nothing stored), and the
@mention suggestions, which list only members of the community under the
name the community shows of them."""

import pytest
from django.test import Client
from django.urls import reverse

from community.models import Comment, DisplayMode, SanctionKind, Thread
from tests.community.forum_data import community_make, join, sanction, veteran
from tests.factories import client_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return community_make(name="퍼포먼스", slug="perf")


@pytest.fixture
def writer(community):
    member = veteran(nickname="작성자", display_mode=DisplayMode.NICKNAME)
    join(member, community)
    return member


def _preview(client, community, body):
    return client.post(
        reverse("compose_preview", args=[community.slug]), {"body": body}
    )


def _suggest(client, community, q):
    url = reverse("mention_suggest", args=[community.slug])
    return client.get(url, {"q": q})


def test_the_preview_renders_korean_emphasis_and_mentions_as_the_post_will(
    client, community, writer
):
    target = veteran(nickname="광고요정", display_mode=DisplayMode.NICKNAME)
    client_sign_in(client, writer)

    response = _preview(
        client,
        community,
        "**증분 매출(홀드아웃 테스트)**로 봐요 @광고요정님 <script>x</script>",
    )

    assert response.status_code == 200
    html = response.text
    assert "<strong>증분 매출(홀드아웃 테스트)</strong>로" in html
    href = reverse("member_detail", args=[target.public_id])
    assert f'<a href="{href}" rel="nofollow ugc noopener">@광고요정</a>님' in html
    assert "<script>" not in html
    assert Thread.objects.count() == 0 and Comment.objects.count() == 0


def test_an_empty_draft_is_refused_in_words(client, community, writer):
    client_sign_in(client, writer)
    response = _preview(client, community, "   ")
    assert response.status_code == 400
    assert "미리 볼 내용이 없거나 너무 길어요." in response.text


def test_the_preview_needs_the_csrf_token(community, writer):
    client = Client(enforce_csrf_checks=True)
    client_sign_in(client, writer)
    assert _preview(client, community, "초안").status_code == 403


def test_a_muted_member_gets_no_preview(client, community, writer):
    sanction(writer, community, SanctionKind.MUTE)
    client_sign_in(client, writer)
    assert _preview(client, community, "초안").status_code == 403


def test_previews_are_rate_limited_per_member(client, community, writer, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "compose_preview": "3/m/user",
    }
    client_sign_in(client, writer)
    statuses = [_preview(client, community, f"초안 {n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_suggestions_match_a_nickname_or_the_real_name_the_community_shows(
    client, community, writer
):
    shown = veteran(
        real_name="김민지", nickname="mj", display_mode=DisplayMode.REAL_NAME
    )
    by_nickname = veteran(
        real_name="이수정", nickname="김치찌개", display_mode=DisplayMode.NICKNAME
    )
    # Shown by nickname here: their real name is not for others to search.
    private = veteran(
        real_name="김비밀", nickname="조용한", display_mode=DisplayMode.NICKNAME
    )
    banned = veteran(
        real_name="김추방", nickname="추방", display_mode=DisplayMode.REAL_NAME
    )
    outsider = veteran(
        real_name="김외부", nickname="외부", display_mode=DisplayMode.REAL_NAME
    )
    for member in (shown, by_nickname, private, banned):
        join(member, community)
    sanction(banned, community, SanctionKind.BAN)
    assert outsider.pk
    client_sign_in(client, writer)

    response = _suggest(client, community, "김")

    assert response.status_code == 200
    assert response.json() == {
        "members": [
            {"name": "김민지", "mention": "@mj"},
            {"name": "김치찌개", "mention": "@김치찌개"},
        ]
    }


def test_a_community_that_requires_real_names_is_searched_by_them(client, writer):
    community = community_make(requires_real_names=True)
    join(writer, community)
    member = veteran(
        real_name="김실명", nickname="닉네임", display_mode=DisplayMode.REAL_NAME
    )
    join(member, community)
    client_sign_in(client, writer)
    assert _suggest(client, community, "김실").json()["members"] == [
        {"name": "김실명", "mention": "@닉네임"}
    ]
    # Only the name shown here is searched, never the nickname.
    assert _suggest(client, community, "닉네").json()["members"] == []


def test_a_real_names_community_never_ties_a_nickname_to_the_real_name(client, writer):
    """A member who goes by "coolcat" elsewhere is shown here as 김민준:
    neither searching the nickname nor the real name pairs the two (the
    mention inserted would be "@coolcat")."""
    community = community_make(requires_real_names=True)
    join(writer, community)
    member = veteran(
        real_name="김민준", nickname="coolcat", display_mode=DisplayMode.NICKNAME
    )
    join(member, community)
    client_sign_in(client, writer)
    assert _suggest(client, community, "cool").json()["members"] == []
    assert _suggest(client, community, "김민").json()["members"] == []


def test_a_query_too_long_or_missing_is_refused(client, community, writer):
    client_sign_in(client, writer)
    assert _suggest(client, community, "").status_code == 400
    assert _suggest(client, community, "가" * 21).status_code == 400


@pytest.mark.parametrize("size", [2, 30])
def test_suggestion_and_preview_queries_do_not_grow_with_members(
    client, community, writer, django_assert_max_num_queries, size
):
    # As many queries with 30 members as with 2.
    for n in range(size):
        join(
            veteran(nickname=f"김회원{n}", display_mode=DisplayMode.NICKNAME), community
        )
    client_sign_in(client, writer)
    with django_assert_max_num_queries(6):
        response = _suggest(client, community, "김회")
    assert len(response.json()["members"]) == min(size, 8)
    with django_assert_max_num_queries(6):
        response = _preview(client, community, "**굵게**로 @김회원1님 @김회원0")
    assert response.text.count("<a href=") == 2

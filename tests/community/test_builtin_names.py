"""Built-in names (the default boards, the role communities) are said in the
reader's language; names members chose are shown as written
(community/names.py)."""

import pytest
from django.urls import reverse
from django.utils import translation

from community.models import Board, Community
from community.roles import JobRole
from tests.community.forum_data import community_make

pytestmark = pytest.mark.django_db


def _get(client, url: str, language: str) -> str:
    return client.get(url, headers={"accept-language": language}).text


def test_each_built_in_names_korean_is_what_is_stored():
    from community.names import BOARDS, ROLE_COMMUNITIES

    with translation.override("ko"):
        for korean, name in [*BOARDS.values(), *ROLE_COMMUNITIES.values()]:
            assert str(name) == korean


def test_an_english_board_page_names_the_default_boards_in_english(client):
    community = community_make(
        name="퍼포먼스 마케팅", role=JobRole.PERFORMANCE_MARKETING
    )
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    english = _get(client, url, "en")
    assert "Job talk" in english
    assert "Introductions" in english
    assert "Gathering reviews" in english
    assert "Performance marketing" in english
    for korean in ("직무톡", "소개톡", "모임 후기", "퍼포먼스 마케팅"):
        assert korean not in english
    korean = _get(client, url, "ko")
    assert "직무톡" in korean
    assert "퍼포먼스 마케팅" in korean


def test_names_members_chose_stay_as_written(client):
    community = community_make(
        name="우리끼리 마케팅", role=JobRole.PERFORMANCE_MARKETING
    )
    Board.objects.filter(community=community, slug="job-talk").update(name="질문방")
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    english = _get(client, url, "en")
    assert "우리끼리 마케팅" in english
    assert "질문방" in english
    assert "Job talk" not in english
    assert "Introductions" in english


def test_saving_in_english_keeps_the_stored_korean_name():
    community = community_make(
        name="퍼포먼스 마케팅", role=JobRole.PERFORMANCE_MARKETING
    )
    with translation.override("en"):
        community = Community.objects.get(pk=community.pk)
        assert community.name == "Performance marketing"
        community.description = "Edited in English"
        community.save()
        board = community.boards.get(slug="job-talk")
        board.save()
    assert Community.objects.filter(pk=community.pk, name="퍼포먼스 마케팅").exists()
    assert Board.objects.filter(pk=board.pk, name="직무톡").exists()

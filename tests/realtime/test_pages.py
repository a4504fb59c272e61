"""The pages that embed a room: the gathering page for its attendees and
organisers, the community page for its members."""

import pytest
from django.urls import reverse

from events.models import GatheringStatus
from realtime.services import message_send
from tests.realtime.conftest import scene_make

ENGLISH = {"accept-language": "en"}


def gathering_page(client, scene, member):
    client.force_login(member)
    url = reverse("gathering_detail", args=[scene.community.slug, scene.gathering.pk])
    return client.get(url, headers=ENGLISH).text


@pytest.mark.django_db
def test_attendees_and_organisers_find_the_room_on_the_gathering_page(client):
    scene = scene_make(GatheringStatus.LIVE)

    for member in (scene.attendees[0], scene.organiser):
        html = gathering_page(client, scene, member)
        assert f'data-room="gathering-{scene.gathering.pk}"' in html
        assert "Live chat" in html


@pytest.mark.django_db
def test_the_waitlisted_and_other_members_find_no_room(client):
    scene = scene_make(GatheringStatus.LIVE)

    for member in (scene.waitlisted[0], scene.member):
        assert "data-chat" not in gathering_page(client, scene, member)


@pytest.mark.django_db
def test_before_the_lobby_the_page_says_when_the_room_opens(client):
    scene = scene_make(GatheringStatus.DRAWN)

    html = gathering_page(client, scene, scene.attendees[0])

    assert "data-chat" not in html
    assert "The chat room opens at" in html


@pytest.mark.django_db
def test_after_the_end_the_room_is_the_chat_archive(client):
    scene = scene_make(GatheringStatus.LIVE)
    message_send(
        member=scene.attendees[0],
        key=f"gathering-{scene.gathering.pk}",
        body="안녕하세요",
        client_id="c1",
    )
    scene.at(GatheringStatus.ENDED)

    html = gathering_page(client, scene, scene.attendees[0])

    assert "Chat archive" in html
    assert f'data-room="gathering-{scene.gathering.pk}"' in html


@pytest.mark.django_db
def test_an_archive_nobody_wrote_in_is_one_line_not_an_empty_room(client):
    scene = scene_make(GatheringStatus.ENDED)

    html = gathering_page(client, scene, scene.attendees[0])

    assert "Nobody wrote in the chat." in html
    assert "data-chat" not in html


@pytest.mark.django_db
def test_members_find_the_lounge_on_the_community_page_and_visitors_do_not(client):
    scene = scene_make(GatheringStatus.LIVE)
    url = reverse("community_detail", args=[scene.community.slug])

    anonymous = client.get(url)
    client.force_login(scene.member)
    member = client.get(url).text

    assert anonymous.status_code == 200
    assert "data-chat" not in anonymous.text
    assert f'data-room="lounge-{scene.community.slug}"' in member

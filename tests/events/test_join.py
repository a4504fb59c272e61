"""The personal join URL (/join/<token>/): it leads its own attendee, and
only them, to the video link, from the release time on; it records use, can
be revoked, and the link travels in the redirect's Location header only."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.join_tokens import join_path
from events.models import Application, Gathering, JoinPass
from events.services.attendance import join_revoke
from events.services.offers import offer_confirm
from tests.community.forum_data import community_make
from tests.events.test_attend_views import (
    MARKER,
    apply,
    close_and_draw,
    gathering_make,
    joined,
    release_link,
)
from tests.factories import member_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return community_make(owner=member_create())


@pytest.fixture
def attendee_pass(community):
    """A confirmed attendee of a drawn gathering and their join pass (the
    link not released yet)."""
    gathering = gathering_make(community)
    member = joined(community)
    apply(member, gathering)
    close_and_draw(gathering)
    application = offer_confirm(member=member, gathering=gathering)
    return member, JoinPass.objects.get(application=application)


def test_the_attendee_is_redirected_to_the_video_link_after_release(
    client, attendee_pass
):
    member, join_pass = attendee_pass
    release_link(join_pass.application.gathering)
    client.force_login(member)
    response = client.get(join_path(join_pass))
    assert response.status_code == 302
    assert response["Location"] == MARKER
    assert MARKER not in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_a_use_is_recorded(client, attendee_pass):
    member, join_pass = attendee_pass
    release_link(join_pass.application.gathering)
    client.force_login(member)
    client.get(join_path(join_pass))
    client.get(join_path(join_pass))
    join_pass.refresh_from_db()
    assert join_pass.use_count == 2
    assert join_pass.first_used_at is not None


def test_before_the_release_the_link_says_when(client, attendee_pass):
    member, join_pass = attendee_pass
    client.force_login(member)
    response = client.get(join_path(join_pass), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "The join link is available from" in response.text
    assert "MARKER-123" not in response.text
    join_pass.refresh_from_db()
    assert join_pass.use_count == 0


def test_another_members_token_is_not_found(client, attendee_pass, community):
    _member, join_pass = attendee_pass
    release_link(join_pass.application.gathering)
    for other in [joined(community), member_create(is_staff=True)]:
        client.force_login(other)
        response = client.get(join_path(join_pass))
        assert response.status_code == 404
        assert "MARKER-123" not in response.content.decode()
    join_pass.refresh_from_db()
    assert join_pass.use_count == 0


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),
        lambda token: token.split("-")[0],
        lambda token: "x" + token,
        lambda token: str(int(token.split("-")[0]) + 1) + "-" + token.split("-")[1],
    ],
)
def test_a_tampered_token_is_not_found(client, attendee_pass, tamper):
    member, join_pass = attendee_pass
    release_link(join_pass.application.gathering)
    client.force_login(member)
    token = join_path(join_pass).rstrip("/").rsplit("/", 1)[1]
    url = reverse("gathering_join", args=[tamper(token)])
    assert client.get(url).status_code == 404


def test_a_revoked_link_is_refused(client, attendee_pass):
    member, join_pass = attendee_pass
    release_link(join_pass.application.gathering)
    join_revoke(application=join_pass.application)
    client.force_login(member)
    response = client.get(join_path(join_pass), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "revoked" in response.text
    assert "MARKER-123" not in response.text


def test_a_withdrawn_attendees_link_is_refused(client, attendee_pass):
    member, join_pass = attendee_pass
    release_link(join_pass.application.gathering)
    client.force_login(member)
    client.post(
        reverse(
            "gathering_withdraw",
            args=[
                join_pass.application.gathering.community.slug,
                join_pass.application.gathering_id,
            ],
        )
    )
    assert client.get(join_path(join_pass)).status_code == 403


def test_after_the_end_the_link_is_refused(client, attendee_pass):
    member, join_pass = attendee_pass
    gathering = join_pass.application.gathering
    now = timezone.now()
    Gathering.objects.filter(pk=gathering.pk).update(
        applications_close_at=now - timedelta(hours=4),
        applications_open_at=now - timedelta(hours=5),
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
    )
    client.force_login(member)
    response = client.get(join_path(join_pass), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "This gathering is over." in response.text


def test_anonymous_is_sent_to_sign_in(client, attendee_pass):
    _member, join_pass = attendee_pass
    response = client.get(join_path(join_pass))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert MARKER not in response["Location"]


def test_the_video_link_is_never_logged(client, attendee_pass, caplog, community):
    member, join_pass = attendee_pass
    caplog.set_level(logging.DEBUG)
    client.force_login(member)
    client.get(join_path(join_pass))  # not released yet
    release_link(join_pass.application.gathering)
    client.get(join_path(join_pass))
    client.force_login(joined(community))
    client.get(join_path(join_pass))  # someone else's
    assert caplog.records
    assert not [r for r in caplog.records if "MARKER-123" in r.getMessage()]


def test_join_urls_are_personal(client, community):
    gathering = gathering_make(community, capacity=2)
    first, second = joined(community), joined(community)
    apply(first, gathering)
    apply(second, gathering)
    close_and_draw(gathering)
    passes = []
    for member in [first, second]:
        offer_confirm(member=member, gathering=gathering)
        passes.append(
            JoinPass.objects.get(
                application=Application.objects.get(member=member, gathering=gathering)
            )
        )
    assert join_path(passes[0]) != join_path(passes[1])
    release_link(gathering)
    client.force_login(first)
    assert client.get(join_path(passes[0])).status_code == 302
    assert client.get(join_path(passes[1])).status_code == 404

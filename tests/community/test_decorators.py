"""The door of the community's pages (community.decorators.community_view):
who it lets through, and that a refusal's status is the one its keyed error
declares, whichever app raised it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from community.decorators import community_view
from community.errors import CommunityError
from community.models import MembershipRole
from events.errors import EventsError
from tests.community.forum_data import community_make, join
from tests.factories import member_create

pytestmark = pytest.mark.django_db


def _get(community, user, **headers):
    request = RequestFactory().get(f"/c/{community.slug}/", headers=headers)
    request.user = user
    return request


def _open(request, **kwargs):
    return HttpResponse("open")


@pytest.mark.parametrize("error_class", [CommunityError, EventsError])
def test_every_declared_status_is_a_client_error_of_a_known_code(error_class):
    assert set(error_class.statuses) <= set(error_class.messages)
    # A client error, or 503 for an outside service the request waits on
    # (the randomness beacon): never a bare server error.
    assert all(
        400 <= status < 500 or status == 503 for status in error_class.statuses.values()
    )


def test_a_code_without_a_declared_status_is_a_bad_request():
    assert CommunityError("empty_body").status == 400
    assert CommunityError("banned").status == 403
    assert EventsError("survey_results_unavailable").status == 404


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (EventsError("not_organiser"), 403),
        (CommunityError("empty_body"), 400),
        (EventsError("survey_results_unavailable"), 404),
    ],
)
def test_a_keyed_error_of_any_app_becomes_a_page_with_its_status(error, status):
    community = community_make()

    @community_view
    def view(request, *, access):
        raise error

    response = view(_get(community, member_create()), slug=community.slug)

    assert response.status_code == status
    assert error.message in response.content.decode()


def test_an_htmx_refusal_is_the_sentence_alone_with_its_status():
    community = community_make(public_read=False)
    view = community_view(_open)

    response = view(
        _get(community, member_create(), HX_Request="true"), slug=community.slug
    )

    assert response.status_code == 403
    assert response.content.decode() == CommunityError("not_readable").message


def test_a_moderator_page_refuses_a_member_and_opens_for_a_moderator():
    community = community_make()
    member, moderator = member_create(), member_create()
    join(member, community)
    join(moderator, community, role=MembershipRole.MODERATOR)
    view = community_view(_open, moderator=True)

    assert view(_get(community, member), slug=community.slug).status_code == 403
    assert view(_get(community, moderator), slug=community.slug).status_code == 200


def test_the_owner_door_refuses_a_moderator():
    community = community_make()
    moderator = member_create()
    join(moderator, community, role=MembershipRole.MODERATOR)
    view = community_view(_open, owner=True)

    response = view(_get(community, moderator), slug=community.slug)

    assert response.status_code == 403
    assert CommunityError("owner_only").message in response.content.decode()


def test_sign_in_sends_a_refused_anonymous_visitor_to_sign_in():
    community = community_make(public_read=False)

    refused = community_view(_open)(
        _get(community, AnonymousUser()), slug=community.slug
    )
    redirected = community_view(_open, sign_in=True)(
        _get(community, AnonymousUser()), slug=community.slug
    )

    assert refused.status_code == 403
    assert redirected.status_code == 302
    assert "/accounts/login/" in redirected["Location"]

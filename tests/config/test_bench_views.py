"""The benchmark's baselines (config.bench_views): the floor does what
every community page does for its reader and no more, so that no page can
be measured faster than it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from config import bench_views
from tests.factories import community_create


def _get(user):
    request = RequestFactory().get("/bench/floor/x/")
    request.user = user
    return request


@pytest.mark.django_db
def test_the_floor_reads_the_door_and_serves_a_kept_page(member):
    community = community_create()
    with CaptureQueriesContext(connection) as queries:
        response = bench_views.floor(_get(member), community.slug)
    assert response.status_code == 200
    assert response.content == bench_views.FLOOR_PAGE
    assert cache.get(bench_views.FLOOR_KEY) == bench_views.FLOOR_PAGE
    # The member's membership and sanctions in the community: the door.
    assert len(queries) == 1


@pytest.mark.django_db
def test_the_floor_of_a_community_that_is_not_there_is_not_found():
    with pytest.raises(Http404):
        bench_views.floor(_get(AnonymousUser()), "no-such-community")

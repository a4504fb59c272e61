"""While Redis is down (here: a Redis cache on a port where nothing
listens, so every call is refused as it would be by a stopped server), pages
keep answering, and only what the cache guards is refused, with the 503 page
(docs/deploy.md, "Cache and Redis failures")."""

import pytest
from django.urls import reverse

from tests.community.forum_data import community_make, join, thread_make, veteran
from tests.servers import free_port


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.SharedRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_a_thread_page_answers_while_redis_is_down(db, client, redis_down):
    community = community_make()
    author = veteran()
    join(author, community)
    thread = thread_make(community, author, title="레디스 없이 읽는 글")
    client.force_login(author)

    response = client.get(reverse("thread_detail", args=[community.slug, thread.pk]))

    assert response.status_code == 200
    assert "레디스 없이 읽는 글" in response.content.decode()


def test_a_failed_login_is_refused_with_the_503_page_while_redis_is_down(
    db, client, redis_down
):
    response = client.post(
        reverse("account_login"),
        {"login": "nobody@example.com", "password": "wrong-password-1"},
        HTTP_ACCEPT_LANGUAGE="ko",
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "잠시 이용할 수 없어요" in response.content.decode()

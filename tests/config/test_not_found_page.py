"""A missing page is answered with Moim's own translated 404 page in every
mode: with DEBUG on (the embedded default, `make run`) too, where Django
would show its technical page listing every URL pattern, unless a developer
asks for that page (DJANGO_DEBUG_404=1)."""

import pytest

from tests.factories import community_create

TECHNICAL = "Django tried these URL patterns"


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


def test_a_wrong_url_gets_moims_page_in_korean_in_debug_mode(client, db, debug):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "페이지를 찾을 수 없어요" in response.text
    assert TECHNICAL not in response.text
    assert "community_detail" not in response.text


def test_a_wrong_url_gets_moims_page_in_english_when_asked(client, db, debug):
    response = client.get("/no-such-page/", headers={"accept-language": "en"})

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert TECHNICAL not in response.text


def test_a_views_http404_gets_moims_page_in_debug_mode(client, db, debug):
    community_create(slug="there")

    response = client.get("/c/not-there/")

    assert response.status_code == 404
    assert "You're seeing this error because you have" not in response.text
    assert "<nav" in response.text  # the site's own layout


def test_a_developer_can_ask_for_the_technical_page(client, db, debug):
    debug.MOIM_DEBUG_404 = True

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert TECHNICAL in response.text


def test_a_missing_slash_is_still_redirected(client, db, debug):
    community_create(slug="there")

    response = client.get("/c/there")

    assert response.status_code == 301

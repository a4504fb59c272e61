"""For the journeys that sign in through Kakao, Naver or Google: their
module's server has the providers switched on and pointed at the tests'
OAuth server, and the browser may visit that server. A module takes both
by naming them at its top level:

    from tests.browser import with_providers
    live_asgi_server = with_providers.live_asgi_server
    page_problems = with_providers.page_problems
"""

import pytest

from tests.browser.conftest import PageProblems, WithLocalProvider


@pytest.fixture(scope="module")
def live_asgi_server(live_asgi_server_with_providers):
    return live_asgi_server_with_providers


@pytest.fixture
def page_problems(live_asgi_server, _oauth_httpd) -> PageProblems:
    return WithLocalProvider.of(live_asgi_server, _oauth_httpd)

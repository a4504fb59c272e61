"""Fixtures shared by the whole suite.

Mail goes through the task queue in Moim; here tasks run the moment they are
enqueued, so a sent mail is in ``mail.outbox`` when the request returns. One
test in tests/community/test_mail.py checks the real database queue.
"""

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.test.utils import override_settings

from tests.factories import member_create


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Each test runs on the backend it is about, deselected (never skipped)
    on the other: ``postgres`` tests need PostgreSQL's concurrency (row
    locks, parallel connections); ``embedded`` tests are about the embedded
    default itself (``make run``), so the PostgreSQL pass would only run
    them again unchanged; so are ``once`` tests (browser journeys that
    assert nothing a database or Redis decides: what their server does is
    tested on both backends without a browser).

    The modules of ``long`` tests come first: collected in their place
    (tests/test_*.py come last), the parallel workers reach them at the end,
    and one would wait idle while the other runs a minute-long test alone.
    Whole modules move, in their own order, so that a module's fixtures are
    still set up once. This hook runs before pytest-django's, whose stable
    sort then puts the tests in Django's order (database tests, then
    transactional ones, then the rest): a long module leads its group."""
    _long_modules_first(items)
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    on_postgres = engine == "django.db.backends.postgresql"
    markers = ("embedded", "once") if on_postgres else ("postgres",)

    def elsewhere(item) -> bool:
        return any(item.get_closest_marker(marker) for marker in markers)

    deselected = [item for item in items if elsewhere(item)]
    if not deselected:
        return
    items[:] = [item for item in items if not elsewhere(item)]
    config.hook.pytest_deselected(items=deselected)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        named = " or ".join(f"'{marker}'" for marker in markers)
        reporter.write_line(
            f"{len(deselected)} test(s) marked {named} deselected: "
            f"the database is {engine.rsplit('.', 1)[-1]}."
        )


def _long_modules_first(items) -> None:
    long_modules = {item.path for item in items if item.get_closest_marker("long")}
    items.sort(key=lambda item: item.path not in long_modules)


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }


@pytest.fixture(autouse=True, scope="session")
def _private_files_in_a_temporary_directory(tmp_path_factory):
    """Members' data exports are written to a directory of the session's
    own, not to the project's private/ (for the whole session, so that the
    access matrix's module-wide world keeps its files)."""
    from django.conf import settings

    private = {
        **settings.STORAGES["private"],
        "OPTIONS": {
            "location": str(tmp_path_factory.mktemp("private")),
            "base_url": None,
        },
    }
    with override_settings(STORAGES={**settings.STORAGES, "private": private}):
        yield


@pytest.fixture(autouse=True, scope="session")
def _uploads_in_a_temporary_directory(tmp_path_factory):
    """Uploaded pictures are written to a directory of the session's own,
    not to the project's media/ (browser tests' servers are forked inside
    it, so they serve the same directory)."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def _pages_rendered_every_time(settings):
    # Tests change data and read the page again at once; the few-seconds page
    # cache for signed-out readers has tests of its own
    # (tests/community/test_page_cache.py), which turn it back on.
    settings.MOIM_ANONYMOUS_PAGE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher is slow by design; the suite creates hundreds of members.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Where the providers' endpoints point in tests that do not start the OAuth
# server: a closed port on this machine, so that nothing ever leaves it.
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def _social_sign_in_switched_on(settings):
    """The suite sees the site as deployed with Kakao, Naver and Google
    switched on (their client ids and secrets set), their endpoints on a
    closed local port; tests of the sign-in itself point them at the OAuth
    server below instead (``oauth_server``)."""
    providers = {}
    for provider, config in settings.SOCIALACCOUNT_PROVIDERS.items():
        providers[provider] = {
            **config,
            "APP": {"client_id": f"{provider}-id", "secret": f"{provider}-secret"},
            **{
                key: f"{NOWHERE}/{provider}/{key.lower()}"
                for key in ("AUTHORIZE_URL", "ACCESS_TOKEN_URL", "PROFILE_URL")
            },
            "IDENTITY_URL": f"{NOWHERE}/google/identity",
            "CERTS_URL": f"{NOWHERE}/google/certs",
        }
    settings.SOCIALACCOUNT_PROVIDERS = providers


@pytest.fixture(autouse=True)
def _requests_stay_on_this_machine(monkeypatch):
    """Moim's one outgoing HTTP client is allauth's, through requests (a
    provider's token and user info): in the tests it may reach 127.0.0.1
    and nothing else, whatever a setting says."""
    import requests

    send = requests.Session.send

    def send_here_only(session, request, **kwargs):
        host = urlsplit(request.url).hostname
        assert host == "127.0.0.1", f"a test tried to reach {request.url}"
        return send(session, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send_here_only)


@pytest.fixture(scope="session")
def _oauth_httpd():
    from tests.oauth_server import oauth_server_start

    state, httpd = oauth_server_start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def oauth_server(_oauth_httpd, settings):
    """The tests' own OAuth 2.0 / OpenID Connect server on 127.0.0.1
    (tests/oauth_server.py), nobody signed in at it yet, and every provider
    switched on and pointed at it."""
    state = _oauth_httpd
    state.people.clear()
    state.requests.clear()
    settings.SOCIALACCOUNT_PROVIDERS = state.provider_settings()
    return state


@pytest.fixture(autouse=True, scope="session")
def _redis_cache_of_its_own():
    """On Redis, each parallel test worker gets a Redis database of its own
    for the cache: clearing the cache empties the whole database, which
    would wipe another worker's rate-limit counters in the middle of its
    test."""
    from django.conf import settings

    cache_settings = settings.CACHES["default"]
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "")
    if "redis" not in cache_settings["BACKEND"].lower() or not worker_id:
        yield
        return
    parts = urlsplit(cache_settings["LOCATION"])
    base = int(parts.path.strip("/") or 0)
    index = int(worker_id.removeprefix("gw"))
    location = urlunsplit(parts._replace(path=f"/{(base + index) % 16}"))
    with override_settings(
        CACHES={"default": {**cache_settings, "LOCATION": location}}
    ):
        yield


@pytest.fixture(autouse=True)
def _cache_cleared():
    # allauth keeps its rate-limit counters in the cache; without this a test
    # would inherit the failed logins of the one before.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    """A verified member who has completed the profile (a job role)."""
    return member_create()


@pytest.fixture
def client_member(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def staff_member(db):
    return member_create(is_staff=True)


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@contextmanager
def _every_log_line():
    """Every logger at DEBUG, recorded (as tests/events/test_privacy.py)."""
    handler = _Records()
    loggers = [logging.root] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    logging.root.addHandler(handler)
    try:
        yield handler.records
    finally:
        logging.root.removeHandler(handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _as_in_a_test() -> override_settings:
    # What the function-scoped fixtures above set for every test, for data
    # built once per module: the fast hasher and immediate tasks.
    return override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={
            "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
        },
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The access matrix's world (tests/access_matrix.py), built once per
    module inside a transaction rolled back at its end, with the suite's
    fast hasher and immediate tasks; its mails and log lines are kept for
    the marker tests. A test that writes runs each request in a savepoint
    of its own."""
    from tests import access_matrix as m

    with _as_in_a_test(), django_db_blocker.unblock(), transaction.atomic():
        outbox = len(mail.outbox)
        with (
            _every_log_line() as records,
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            built = m.world_build()
        built.extra["mails"] = mail.outbox[outbox:]
        built.extra["log_records"] = records
        yield built
        transaction.set_rollback(True)


@dataclass
class Seeded:
    mails: list


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    with _as_in_a_test(), django_db_blocker.unblock(), transaction.atomic():
        outbox = len(mail.outbox)
        call_command("seed_demo", verbosity=0)
        yield Seeded(mails=mail.outbox[outbox:])
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db):
    """``manage.py seed_demo``'s data (seconds of work: its gatherings go
    through the real services), loaded once per module inside a transaction
    rolled back at the module's end, as ``world`` is; each test runs in a
    savepoint of its own (``db``), so what one writes (seeding again, say)
    the next does not see. The mails the seeding sent are kept. Every test
    of a module that uses it must ask for it: one that does not would still
    find the data."""
    return _seeded_once


@pytest.fixture(autouse=True, scope="session")
def _flush_passes_the_draw_guards():
    """Transactional tests empty every table between them. On SQLite that is
    a DELETE per table, which the draw's guards (events migration 0010)
    refuse for draws and log rows: the flush runs with them switched off.
    On PostgreSQL Django's flush (a TRUNCATE of every table, then
    post_migrate) costs over a second a test; tests/flush.py empties just
    the tables the test wrote to, with the triggers off for that one
    transaction, and falls back to Django's flush when it cannot be sure.
    (No documented hook exists: pytest-django builds the TransactionTestCase
    itself and Django calls the command from a private method.)"""
    from django.core.management.commands import flush
    from django.db import connections

    from events.guards import guards_suspended
    from tests import flush as fast

    original = flush.Command.handle

    def handle(self, *args, **kwargs):
        alias = kwargs.get("database", "default")
        applies = fast.flush_applies(connections[alias], kwargs)
        if applies and fast.flush_fast(alias):
            return
        fast.flush_forget(alias)
        with guards_suspended():
            result = original(self, *args, **kwargs)
        if applies:
            fast.flush_record(alias)
        return result

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(autouse=True, scope="session")
def _beacon_stays_on_this_machine():
    """No drand relay unless a test names one (``beacon_server``): a
    MOIM_BEACON_URLS in the developer's environment must not send the suite
    to the internet."""
    with override_settings(MOIM_BEACON_URLS=[]):
        yield


@pytest.fixture(scope="session")
def _beacon_httpd():
    from tests.beacon_server import beacon_server_start

    state, httpd = beacon_server_start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def beacon_server(_beacon_httpd, settings):
    """The tests' own drand relay on 127.0.0.1 (tests/beacon_server.py),
    serving the recorded quicknet rounds and behaving, and the site pointed
    at it alone (MOIM_BEACON_URLS) with a short timeout."""
    state = _beacon_httpd
    state.reset()
    settings.MOIM_BEACON_URLS = [state.base_url]
    settings.MOIM_BEACON_TIMEOUT = 1.0
    return state


@pytest.fixture(scope="session")
def _push_httpd():
    from tests.push_server import push_server_start

    state, httpd = push_server_start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def push_server(_push_httpd, settings):
    """The tests' own Web Push service on 127.0.0.1 (tests/push_server.py),
    and the site allowed to push to it over plain http (MOIM_PUSH_LOCAL_HTTP)."""
    state = _push_httpd
    state.reset()
    settings.MOIM_PUSH_LOCAL_HTTP = True
    return state

"""Browser tests: the real ASGI app under daphne, driven by the system Chromium.

The server is a forked copy of the test process, so it runs with the test
settings and the test database that pytest-django created; the tests use
``transactional_db`` so that what they write is committed and visible to it.
Mail the server sends lands in files that the tests read back.

Everything the product promises about a page load is checked for every test:
no console error (CSP violations are reported there), no uncaught script
error, no failed request and no request to any other host.
"""

import contextlib
import email
import email.policy
import os
import re
import shutil
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test.utils import override_settings
from django.utils.deprecation import RemovedInDjango2028Warning

from tests.servers import (
    ASYNC_UNSAFE,
    SERVER_HOST,
    _wait_for_sessions_to_end,
    daphne_start,
    daphne_stop,
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The servers' password hasher: the suite's fast one (tests/conftest.py).
# Django's PBKDF2 costs about half a second of CPU per sign-in, sign-up and
# stored password, which the journeys pay dozens of times on two shared
# cores; what they test is the site's flow, not the hash. The real hasher
# is exercised where it matters: tests/community/test_password_work.py (one
# hash per attempt) and the deployment stack (production settings).
SERVER_PASSWORD_HASHERS = ("django.contrib.auth.hashers.MD5PasswordHasher",)
MISSING_BROWSER = (
    "Chromium is not installed, so the browser tests cannot run. Install it with "
    "`make browser-deps` (as root: apt-get install chromium fonts-noto-cjk)."
)
MISSING_CJK_FONT = (
    "No Korean font is installed, so every Hangul glyph would render as an "
    "empty box. Install it with `apt-get install fonts-noto-cjk`."
)


# --- The live server ------------------------------------------------------------


def _file_mail_settings(directory: Path) -> dict:
    """Mail settings that write every message under ``directory``, in
    whichever form the project configures mail (Django 6.1's MAILERS, or the
    EMAIL_BACKEND it replaces), as django.test.utils does for the outbox."""
    backend = "django.core.mail.backends.filebased.EmailBackend"
    if hasattr(settings, "MAILERS"):
        return {
            "MAILERS": {
                alias: {"BACKEND": backend, "OPTIONS": {"file_path": str(directory)}}
                for alias in settings.MAILERS or {"default": {}}
            }
        }
    return {"EMAIL_BACKEND": backend, "EMAIL_FILE_PATH": str(directory)}


@contextlib.contextmanager
def _email_settings_deprecation_ignored():
    # Overriding EMAIL_BACKEND warns that it is deprecated: the project's
    # settings are what should migrate to MAILERS, not this fixture.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RemovedInDjango2028Warning)
        yield


@dataclass(frozen=True)
class LiveServer:
    url: str
    mail_dir: Path
    # The hashers the server was forked with: a password stored by the test
    # process must use one of them for the server to accept a sign-in.
    password_hashers: tuple[str, ...] = ()

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc


def server_settings(mail_dir: Path) -> override_settings:
    """What a browser test's server runs with, enabled only around its fork:
    mail written to files under ``mail_dir``, tasks run at once (while the
    other tests keep Django's in-memory outbox), every page rendered afresh,
    passwords hashed by the suite's fast hasher, and on Redis a channel-layer
    prefix of its own, so that servers of parallel test workers, whose rooms
    and members share ids, never hear each other."""
    overrides = {
        **_file_mail_settings(mail_dir),
        "TASKS": {
            "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
        },
        # As in every test (tests/conftest.py): a page read again shows what
        # the test changed meanwhile.
        "MOIM_ANONYMOUS_PAGE_SECONDS": 0,
        "PASSWORD_HASHERS": list(SERVER_PASSWORD_HASHERS),
        # Passkeys: browsers allow WebAuthn over plain http only on
        # localhost, which the passkey test opens the server as.
        "MFA_WEBAUTHN_RP_ID": "localhost",
    }
    layer = settings.CHANNEL_LAYERS["default"]
    if "CONFIG" in layer:
        config = {**layer["CONFIG"], "prefix": f"moim-browser-{os.getpid()}"}
        overrides["CHANNEL_LAYERS"] = {"default": {**layer, "CONFIG": config}}
    return override_settings(**overrides)


@pytest.fixture(scope="package")
def live_asgi_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """daphne serving config.asgi:application on a free port."""
    mail_dir = tmp_path_factory.mktemp("browser-mail")
    # pytest-django blocks database access outside tests by patching the
    # connection class; the fork must happen while it is unblocked so that the
    # server may use the database.
    with (
        django_db_blocker.unblock(),
        _email_settings_deprecation_ignored(),
        server_settings(mail_dir),
    ):
        process = daphne_start()
    server = LiveServer(
        url=f"http://{SERVER_HOST}:{process.port.value}",
        mail_dir=mail_dir,
        password_hashers=SERVER_PASSWORD_HASHERS,
    )
    yield server
    daphne_stop(process)
    with django_db_blocker.unblock():
        _wait_for_sessions_to_end(process)


@pytest.fixture(scope="module")
def live_asgi_server_with_providers(
    django_db_setup, django_db_blocker, tmp_path_factory, _oauth_httpd
):
    """A server of the module's own, for journeys that sign in with Kakao,
    Naver or Google: as ``live_asgi_server``, with the providers switched on
    and pointed at the tests' OAuth server (tests/oauth_server.py), and the
    page policy's form-action allowing the redirect there (as it allows the
    real providers' sign-in pages in production). A module that uses it
    names it ``live_asgi_server`` and its ``page_problems`` allow the
    provider (``WithLocalProvider``)."""
    mail_dir = tmp_path_factory.mktemp("social-browser-mail")
    csp = {
        **settings.SECURE_CSP,
        "form-action": [*settings.SECURE_CSP["form-action"], _oauth_httpd.base_url],
    }
    with (
        django_db_blocker.unblock(),
        _email_settings_deprecation_ignored(),
        server_settings(mail_dir),
        override_settings(
            SOCIALACCOUNT_PROVIDERS=_oauth_httpd.provider_settings(), SECURE_CSP=csp
        ),
    ):
        process = daphne_start()
    yield LiveServer(
        url=f"http://{SERVER_HOST}:{process.port.value}",
        mail_dir=mail_dir,
        password_hashers=SERVER_PASSWORD_HASHERS,
    )
    daphne_stop(process)
    with django_db_blocker.unblock():
        _wait_for_sessions_to_end(process)


# --- Mail -------------------------------------------------------------------------

# Django's file-based backend appends each message to a file, followed by a
# line of 79 dashes.
_MAIL_SEPARATOR = re.compile(rb"\n-{79}\n")


@dataclass
class Mailbox:
    directory: Path

    def messages(self) -> list[EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*.log"), key=os.path.getmtime):
            for chunk in _MAIL_SEPARATOR.split(path.read_bytes()):
                if chunk.strip():
                    found.append(
                        email.message_from_bytes(chunk, policy=email.policy.default)
                    )
        return found

    def latest_to(self, address: str, timeout: float = 10) -> EmailMessage:
        """The newest mail to ``address``, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.messages()):
                if address.lower() in str(message["To"]).lower():
                    return message
            if time.monotonic() > deadline:
                raise AssertionError(f"No mail to {address} within {timeout}s")
            time.sleep(0.1)


def mail_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain", "html")).get_content()


def url_in(message: EmailMessage, contains: str) -> str:
    """The first link in the mail's text whose URL contains ``contains``."""
    text = mail_text(message)
    for url in re.findall(r"https?://[^\s<>\"']+", text):
        if contains in url:
            return url
    raise AssertionError(f"No link containing {contains!r} in:\n{text}")


@pytest.fixture
def mailbox(live_asgi_server) -> Mailbox:
    return Mailbox(live_asgi_server.mail_dir)


@pytest.fixture
def server_password_hashing(live_asgi_server, settings):
    """Hash passwords in the test process as the server checks them, for
    members created here who then sign in through the browser: the server
    was forked with ``SERVER_PASSWORD_HASHERS``, whatever a test sets."""
    settings.PASSWORD_HASHERS = list(live_asgi_server.password_hashers)


# --- The browser ------------------------------------------------------------------


def _has_korean_font() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        # Without fontconfig's tool there is no cheap way to tell; let the
        # screenshots show it.
        return True
    result = subprocess.run(
        [fc_list, ":lang=ko", "family"], capture_output=True, text=True, check=False
    )
    return bool(result.stdout.strip())


@pytest.fixture(scope="package")
def _orm_beside_playwright():
    """Allow ORM calls in the test thread while the browser runs, and only
    then: set for the whole session, the variable would reach subprocesses
    (``manage.py check --deploy`` reports it as an error) and hide real
    async-safety bugs in the other tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ASYNC_UNSAFE, "true")
        yield


@pytest.fixture(scope="package")
def chromium(_orm_beside_playwright):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(MISSING_BROWSER, pytrace=False)
    if not _has_korean_font():
        pytest.fail(MISSING_CJK_FONT, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class PageProblems:
    """What went wrong in the browser while a test ran."""

    server_netloc: str
    found: list[str] = field(default_factory=list)
    expected_statuses: set[tuple[str, int]] = field(default_factory=set)
    expected_requests: set[str] = field(default_factory=set)
    expected_console: list[re.Pattern] = field(default_factory=list)

    def expect_console_error(self, pattern: str) -> None:
        """Declare a console error the test causes on purpose (a socket that
        cannot reach a server the test stopped)."""
        self.expected_console.append(re.compile(pattern))

    def expect_request(self, url: str) -> None:
        """Declare that the browser requests ``url``, on another host, on
        purpose; the test must intercept it itself (``page.route``), so that
        nothing leaves the machine."""
        self.expected_requests.add(url)

    def expect_status(self, path: str, status: int) -> None:
        """Declare that a document at ``path`` answers ``status`` on purpose
        (a refused form answers 400), so Chromium's console report of it is
        not a problem."""
        self.expected_statuses.add((path, status))

    def _is_expected(self, text: str, url: str) -> bool:
        match = re.search(r"status of (\d{3})", text)
        return bool(match) and (
            (urlsplit(url).path, int(match.group(1))) in self.expected_statuses
        )

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if any(p.search(message.text) for p in self.expected_console):
            return
        if not self._is_expected(message.text, url):
            self.found.append(f"console error: {message.text} ({url})")

    def on_page_error(self, error) -> None:
        self.found.append(f"script error: {error}")

    def on_request_failed(self, request) -> None:
        # ERR_ABORTED is a request the browser itself gave up, because the
        # page navigated on before it finished (the favicon of a page left at
        # once, say); a request the server failed or refused shows otherwise.
        if request.failure == "net::ERR_ABORTED":
            return
        self.found.append(
            f"request failed: {request.method} {request.url}: {request.failure}"
        )

    def on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"data", "blob", "about"}:
            return
        if (
            parts.netloc != self.server_netloc
            and request.url not in self.expected_requests
        ):
            self.found.append(f"request to another host: {request.url}")

    def take(self) -> list[str]:
        found, self.found = self.found, []
        return found


class WithLocalProvider(PageProblems):
    """The browser's problems, except that it may visit the tests' OAuth
    server: the provider's consent page is part of the journey."""

    provider_netloc: str = ""

    @classmethod
    def of(cls, server: LiveServer, oauth) -> "WithLocalProvider":
        problems = cls(server_netloc=server.netloc)
        problems.provider_netloc = urlsplit(oauth.base_url).netloc
        return problems

    def on_request(self, request) -> None:
        if urlsplit(request.url).netloc == self.provider_netloc:
            return
        super().on_request(request)


@pytest.fixture
def page_problems(live_asgi_server) -> PageProblems:
    return PageProblems(server_netloc=live_asgi_server.netloc)


def _open_context(
    browser, server: LiveServer, problems: PageProblems, locale: str = "ko-KR"
):
    """A new browser context: a visitor in Seoul whose browser speaks
    ``locale`` (its Accept-Language) and reports every problem of each of its
    pages to ``problems``."""
    from playwright.sync_api import expect

    context = browser.new_context(
        base_url=server.url,
        locale=locale,
        timezone_id="Asia/Seoul",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    context.on("request", problems.on_request)
    context.on("requestfailed", problems.on_request_failed)
    context.on("console", problems.on_console)
    context.on("weberror", lambda web_error: problems.on_page_error(web_error.error))
    return context


def _open_page(
    browser, server: LiveServer, problems: PageProblems, locale: str = "ko-KR"
):
    """A page in a new context (see ``_open_context``)."""
    return _open_context(browser, server, problems, locale).new_page()


def _fail_on_late_problems(problems: PageProblems) -> None:
    late = problems.take()
    if late:
        pytest.fail("The browser reported:\n" + "\n".join(late), pytrace=False)


@pytest.fixture
def browser_locale() -> str:
    """The language the test's browsers speak; a test parametrized on it
    plays its journey in each language, chosen as a visitor's browser does."""
    return "ko-KR"


@pytest.fixture
def page(live_asgi_server, chromium, page_problems, browser_locale):
    """A fresh visitor in Seoul, Korean-speaking unless ``browser_locale``
    says otherwise, one browser context per test."""
    page = _open_page(chromium, live_asgi_server, page_problems, browser_locale)
    yield page
    page.context.close()
    _fail_on_late_problems(page_problems)


@pytest.fixture
def another_page(live_asgi_server, chromium, page_problems, browser_locale):
    """Opens another visitor's page (a new context: its own cookies, so
    another member can sign in), checked like ``page``; for journeys where
    several people act in turn."""
    pages = []

    def open_page():
        pages.append(
            _open_page(chromium, live_asgi_server, page_problems, browser_locale)
        )
        return pages[-1]

    yield open_page
    for opened in pages:
        opened.context.close()
    _fail_on_late_problems(page_problems)


@pytest.fixture
def member_browser(live_asgi_server, chromium, page_problems, browser_locale):
    """Opens the browser context of a member who signed in earlier (their
    session cookie is set), speaking ``browser_locale`` and checked like
    ``page`` for every page opened in it. For the crowd of a journey: its
    ``request`` sends real HTTP requests to the server as that member, and
    ``new_page()`` shows the site as they see it."""
    from tests.realtime.conftest import session_cookie

    contexts = []

    def open_context(member):
        context = _open_context(
            chromium, live_asgi_server, page_problems, browser_locale
        )
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_cookie(member),
                    "url": live_asgi_server.url,
                }
            ]
        )
        # Pages send the locale as Accept-Language; the context's request
        # API must say so itself.
        language = browser_locale.split("-")[0]
        context.set_extra_http_headers(
            {"Accept-Language": f"{browser_locale},{language};q=0.9"}
        )
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
    _fail_on_late_problems(page_problems)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Turn what the browser reported into a failure of the test itself."""
    result = yield
    problems = item.funcargs.get("page_problems")
    if problems is not None:
        found = problems.take()
        if found:
            raise AssertionError("The browser reported:\n" + "\n".join(found))
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


# --- Screenshots ------------------------------------------------------------------


class Screenshots:
    """Numbered full-page screenshots: test-artifacts/<test>/NN-step.png."""

    def __init__(self, page, directory: Path):
        self.page = page
        self.directory = directory
        self.count = 0
        self.pages = [page]

    def __call__(self, step: str, page=None) -> Path:
        """Shoot ``page``, the test's ``page`` unless told otherwise (another
        member's, in a journey where several take turns)."""
        target = page if page is not None else self.page
        if target not in self.pages:
            self.pages.append(target)
        self.count += 1
        slug = re.sub(r"[^\w-]+", "-", step).strip("-").lower()
        path = self.directory / f"{self.count:02d}-{slug}.png"
        target.screenshot(path=path, full_page=True)
        return path

    def failure(self) -> None:
        """Every page shot so far that is still open, as the failure left it."""
        for page in self.pages:
            if not page.is_closed():
                self("failure", page=page)


@pytest.fixture
def screenshot(request, page) -> Screenshots:
    # pytest-playwright, when installed, parametrizes every test using
    # ``page`` by browser name; only one browser is ever launched here.
    callspec = getattr(request.node, "callspec", None)
    params = [
        p for p in (callspec.id.split("-") if callspec else []) if p != "chromium"
    ]
    name = "-".join([request.node.originalname, *params])
    name = re.sub(r"[^\w.-]+", "_", name)
    directory = request.config.rootpath / "test-artifacts" / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    shots = Screenshots(page, directory)
    yield shots
    if getattr(request.node, "browser_call_failed", False):
        shots.failure()

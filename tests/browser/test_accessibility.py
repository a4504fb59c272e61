"""Every page of the site passes axe-core with no serious or critical
violation: signed out, as a member and as an organiser, in Korean and in
English, on a phone (390 px) and on a desktop (1280 px).

The pages are the demo's (events/site_pages.py, the list the screenshot
gallery shoots too). axe-core (tests/browser/axe/, from the npm registry) is
handed to each page through the browser's DevTools protocol, never served by
the site, so the page's Content-Security-Policy stays as it is. One browser,
one context per kind of visitor and language, each page loaded once and
checked at both widths.
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from events.site_pages import KINDS, accounts, site_pages
from tests.browser.conftest import _open_context
from tests.realtime.conftest import session_cookie

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db"),
]

AXE = Path(__file__).parent / "axe" / "axe.min.js"
AXE_VERSION = "4.14.1"
WIDTHS = (390, 1280)
LANGUAGES = {"ko": "ko-KR", "en": "en-US"}
BLOCKING = {"serious", "critical"}
# The rules of WCAG 2.1 A and AA, and the best practices about landmarks,
# headings and names that a screen reader's user relies on.
RUN_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
    # The page's own stylesheets are all axe needs; fetching them again for
    # every run only costs time.
    "preload": False,
}


def _violations(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate(
        "options => axe.run(document, options).then(r => r.violations.map(v => ({"
        "id: v.id, impact: v.impact, help: v.help,"
        "nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': '"
        " + (n.failureSummary || '').split('\\n').slice(0, 2).join(' '))})))",
        RUN_OPTIONS,
    )
    return [v for v in results if v["impact"] in BLOCKING]


def _demo_seeded() -> None:
    """``manage.py seed_demo``, in a thread of its own: the demo's
    notifications are broadcast through async_to_sync, which cannot run in
    the thread where Playwright's event loop runs."""

    def seed():
        try:
            call_command("seed_demo", verbosity=0)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(seed).result()


def _context(chromium, server, problems, kind: str, email: str | None, locale: str):
    from community.models import Member

    context = _open_context(chromium, server, problems, locale)
    if email is not None:
        member = Member.objects.get(email=email)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_cookie(member),
                    "url": server.url,
                }
            ]
        )
    return context


def test_every_page_has_no_serious_or_critical_violation(
    live_asgi_server, chromium, page_problems
):
    started = time.monotonic()
    _demo_seeded()
    seeded = time.monotonic()
    pages = site_pages()
    assert {p.kind for p in pages} == set(KINDS)
    # A page that answers 404 on purpose says so in its name.
    page_problems.expect_status("/no-such-page/", 404)
    found: dict[str, list] = {}
    checked = 0
    axe_seconds = 0.0
    for kind, email in accounts().items():
        for language, locale in LANGUAGES.items():
            context = _context(
                chromium, live_asgi_server, page_problems, kind, email, locale
            )
            page = context.new_page()
            for site_page in (p for p in pages if p.kind == kind):
                page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
                page.goto(site_page.path)
                assert page.locator("html").get_attribute("lang") == language, site_page
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    before = time.monotonic()
                    violations = _violations(page)
                    axe_seconds += time.monotonic() - before
                    for violation in violations:
                        found.setdefault(
                            f"{kind} {language} {width}px {site_page.path}", []
                        ).append(violation)
                    checked += 1
            context.close()
    elapsed = time.monotonic() - started
    print(
        f"axe-core {AXE_VERSION}: {checked} checks of {len(pages)} pages in "
        f"{elapsed:.0f} s (seeding the demo: {seeded - started:.0f} s, "
        f"axe itself: {axe_seconds:.0f} s)"
    )
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)

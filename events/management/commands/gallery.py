"""``manage.py gallery``: a screenshot of every page of the site, for
reviewing a change.

It migrates the configured database, loads the demo (``seed_demo``, safe to
run again), serves it with daphne on a free local port and has Debian's
Chromium (through Playwright, a dev dependency) open every page of
events/site_pages.py, the list the accessibility test checks, as each kind
of visitor (signed out, a member, an organiser), in Korean and in English,
390 and 1280 px wide. The full-page PNGs and an index.html that shows them
side by side go to one folder (``gallery/`` unless ``--out`` says
otherwise). CI does not run it; ``make gallery`` does.
"""

import html
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from community.demo import DEMO_PASSWORD
from events.site_pages import KINDS, accounts, site_pages

LANGUAGES = {"ko": "ko-KR", "en": "en-US"}
WIDTHS = (390, 1280)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
KIND_LABELS = {
    "visitor": "Signed out",
    "member": "Member",
    "organiser": "Organiser",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()  # noqa: S310 (our own)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError as err:
            if time.monotonic() > deadline:
                raise CommandError(f"The server did not answer at {url}.") from err
            time.sleep(0.3)


def _cell(file: str | None, name: str, lang: str, width: int) -> str:
    if file is None:
        return "<td></td>"
    file = html.escape(file)
    alt = html.escape(f"{name} {lang} {width}px")
    return (
        f'<td><a href="{file}"><img src="{file}" alt="{alt}" loading="lazy"></a></td>'
    )


class Command(BaseCommand):
    help = (
        "Write a screenshot of every page of the demo, in Korean and English, "
        "390 and 1280 px wide, signed out and as each kind of member, into one "
        "folder with an index.html."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", default="gallery", help="the folder to write (default: gallery/)"
        )
        parser.add_argument(
            "--only",
            default="",
            help="page names to shoot, comma-separated (default: all)",
        )

    def handle(self, *args, out: str, only: str, **options):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as err:
            raise CommandError(
                "The gallery needs Playwright, a dev dependency: make setup."
            ) from err
        chromium = shutil.which("chromium")
        if chromium is None:
            raise CommandError("Install Chromium first: apt-get install chromium.")
        folder = Path(out).resolve()
        folder.mkdir(parents=True, exist_ok=True)

        call_command("migrate", verbosity=0, interactive=False)
        call_command("seed_demo", verbosity=0)
        wanted = {name for name in only.split(",") if name}
        pages = [p for p in site_pages() if not wanted or p.name in wanted]
        emails = accounts()

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 (our own server, fixed arguments)
            [
                *(sys.executable, "-m", "daphne", "-b", "127.0.0.1"),
                *("-p", str(port), "config.asgi:application"),
            ],
            cwd=settings.BASE_DIR,
            env={**os.environ, "SITE_URL": base},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shots: dict[tuple[str, str], dict[tuple[str, int], str]] = {}
        try:
            _wait_for(base + "/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, args=CHROMIUM_ARGS
                )
                for kind in KINDS:
                    for language, locale in LANGUAGES.items():
                        context = browser.new_context(
                            base_url=base,
                            locale=locale,
                            timezone_id="Asia/Seoul",
                            viewport={"width": WIDTHS[-1], "height": 900},
                        )
                        page = context.new_page()
                        if emails[kind]:
                            self._sign_in(page, emails[kind])
                        for site_page in (p for p in pages if p.kind == kind):
                            page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
                            page.goto(site_page.path)
                            for width in WIDTHS:
                                page.set_viewport_size({"width": width, "height": 900})
                                name = f"{kind}-{site_page.name}-{language}-{width}.png"
                                page.screenshot(path=folder / name, full_page=True)
                                shots.setdefault((kind, site_page.name), {})[
                                    (language, width)
                                ] = name
                            self.stdout.write(f"{kind} {language} {site_page.path}")
                        context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
        index = folder / "index.html"
        index.write_text(self._index(pages, shots), encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"{sum(len(s) for s in shots.values())} screenshots: {index}"
            )
        )

    def _sign_in(self, page, email: str) -> None:
        page.goto("/accounts/login/")
        form = page.locator("main form").first
        form.locator("input[name=login]").fill(email)
        form.locator("input[name=password]").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            form.locator("input[name=password]").press("Enter")
        if "/accounts/login/" in page.url:
            raise CommandError(f"Could not sign in as {email}.")

    def _index(self, pages, shots) -> str:
        columns = [(lang, width) for lang in LANGUAGES for width in WIDTHS]
        head = "".join(f"<th>{lang} · {width} px</th>" for lang, width in columns)
        rows = []
        for kind in KINDS:
            rows.append(
                f'<tr><th colspan="{len(columns) + 1}" class="kind">'
                f"{html.escape(KIND_LABELS[kind])}</th></tr>"
            )
            for site_page in (p for p in pages if p.kind == kind):
                found = shots.get((kind, site_page.name), {})
                cells = "".join(
                    _cell(found.get((lang, width)), site_page.name, lang, width)
                    for lang, width in columns
                )
                rows.append(
                    f'<tr><th scope="row">{html.escape(site_page.name)}<br>'
                    f"<code>{html.escape(site_page.path)}</code></th>{cells}</tr>"
                )
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>Moim: every page</title><style>"
            "body{font-family:system-ui,sans-serif;margin:1rem}"
            "table{border-collapse:collapse}"
            "th,td{border:1px solid #ccc;padding:4px;vertical-align:top}"
            "th.kind{background:#222;color:#fff;text-align:left;font-size:1.2rem}"
            "td img{width:180px;max-height:600px;object-fit:cover;"
            "object-position:top}"
            "code{font-size:.75rem}</style></head><body>"
            f"<h1>Moim: every page ({len(pages)} pages × {len(columns)})</h1>"
            f"<table><thead><tr><th>page</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></body></html>\n"
        )

"""Every HTML page carries the security headers SECURITY.md promises and
loads nothing from another origin; with production settings, HSTS is sent
and cookies are Secure."""

import re
import runpy
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ONE_YEAR = 60 * 60 * 24 * 365

ANONYMOUS_PAGES = [
    "home",
    "account_login",
    "account_signup",
    "account_reset_password",
]
MEMBER_PAGES = [
    "home",
    "profile_edit",
    "work_email",
    "account_email",
    "account_change_password",
]

TAG = re.compile(r"<(link|script|img|iframe|source|video|audio)\b[^>]*>", re.I)
URL_ATTRIBUTE = re.compile(r'\b(?:src|href|srcset)\s*=\s*["\']?([^"\'\s>]+)', re.I)


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


def assert_security_headers(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    csp = csp_directives(response)
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def external_references(html: str) -> list[str]:
    found = []
    for tag in TAG.finditer(html):
        for url in URL_ATTRIBUTE.findall(tag.group(0)):
            if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I):
                found.append(url)
    return found


def inline_scripts(html: str) -> list[str]:
    # A script element without src: CSP would block it, so it is a bug even
    # if harmless. JSON data blocks are not executed and are allowed.
    return [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html, re.I)
        if "src=" not in tag and "application/json" not in tag
    ]


@pytest.fixture
def public_pages(member):
    return [reverse(name) for name in ANONYMOUS_PAGES] + [
        reverse("member_detail", args=[member.public_id])
    ]


@pytest.fixture
def member_pages(member):
    return [reverse(name) for name in MEMBER_PAGES] + [
        reverse("member_detail", args=[member.public_id])
    ]


def test_public_pages_carry_the_security_headers(client, public_pages):
    for path in public_pages:
        assert_security_headers(client.get(path))


def test_member_pages_carry_the_security_headers(client_member, member_pages):
    for path in member_pages:
        assert_security_headers(client_member.get(path))


def test_no_page_loads_anything_from_another_origin(
    client, client_member, public_pages, member_pages
):
    pages = {path: client.get(path) for path in public_pages}
    client_member_pages = {path: client_member.get(path) for path in member_pages}
    for path, response in [*pages.items(), *client_member_pages.items()]:
        assert external_references(response.content.decode()) == [], path


def test_no_page_has_an_inline_script(client_member, member_pages):
    for path in member_pages:
        html = client_member.get(path).content.decode()
        assert inline_scripts(html) == [], path


def test_the_external_reference_detector_finds_a_cdn_script():
    html = '<script src="https://cdn.example.com/htmx.js"></script>'
    html += '<link rel="stylesheet" href="//fonts.example.com/x.css">'
    html += '<img src="/static/img/a.png"><a href="https://example.com/">x</a>'

    assert external_references(html) == [
        "https://cdn.example.com/htmx.js",
        "//fonts.example.com/x.css",
    ]


# --- With the production settings (DEBUG off) --------------------------------


def production_security_settings(monkeypatch) -> dict:
    """The security-relevant values config/settings.py gives with DEBUG off."""
    for name in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECURE_HSTS_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DJANGO_DEBUG", "0")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-" + "x7" * 30)
    namespace = runpy.run_path(str(ROOT / "config" / "settings.py"))
    names = [
        name
        for name in namespace
        if name.startswith(("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_"))
        or name.startswith("LANGUAGE_COOKIE_")
    ]
    return {name: namespace[name] for name in names}


@pytest.fixture
def production(monkeypatch):
    with override_settings(**production_security_settings(monkeypatch)):
        yield


def cookie_attributes(response, name) -> dict:
    morsel = response.cookies[name]
    return {
        "secure": bool(morsel["secure"]),
        "httponly": bool(morsel["httponly"]),
        "samesite": morsel["samesite"],
    }


def test_production_redirects_plain_http_to_https(client, production, db):
    response = client.get(reverse("home"))

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_production_sends_hsts_for_at_least_a_year(client, production, db):
    response = client.get(reverse("home"), secure=True)

    max_age = re.search(r"max-age=(\d+)", response["Strict-Transport-Security"])
    assert int(max_age.group(1)) >= ONE_YEAR
    assert "includeSubDomains" in response["Strict-Transport-Security"]


def test_production_session_cookie_is_secure_httponly_and_lax(
    client, production, member
):
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        secure=True,
    )

    assert response.status_code == 302
    assert cookie_attributes(response, "sessionid") == {
        "secure": True,
        "httponly": True,
        "samesite": "Lax",
    }


def test_production_csrf_cookie_is_secure_and_lax(client, production, db):
    response = client.get(reverse("account_login"), secure=True)

    attributes = cookie_attributes(response, "csrftoken")
    assert attributes["secure"] is True
    assert attributes["samesite"] == "Lax"


def test_production_language_cookie_is_secure(client, production, db):
    response = client.post(
        reverse("language_set"), {"language": "en", "next": "/"}, secure=True
    )

    assert cookie_attributes(response, "django_language")["secure"] is True

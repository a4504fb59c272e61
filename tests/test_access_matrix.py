"""The access matrix (SECURITY.md, "Authorisation"; the table is in
tests/access_matrix.py): every URL pattern of the project has a row, and
every row's outcome holds for every kind of visitor; the planted video link
and survey answer reach no one the matrix does not allow.

The world is built once for the module, inside a transaction rolled back at
its end; each request runs in a savepoint of its own, so an allowed action
changes nothing the next row sees. The websocket rows need the data
committed (the consumers read it from other threads): they are tried in
tests/realtime/test_access_matrix_sockets.py."""

import logging
import re

import pytest
from django.core import mail
from django.db import transaction
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import access_matrix as m
from tests.events.factories import MARKER_LINK

# --- The patterns ----------------------------------------------------------------


def _patterns(resolver=None, prefix="", namespace=None):
    """(key, kwarg names, example path or None) of every pattern: the URL
    name with its namespace, or for an unnamed pattern its whole pattern
    string."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = (
                    f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                )
            yield from _patterns(entry, pattern, inner)
            continue
        assert isinstance(entry, URLPattern)
        kwargs = list(entry.pattern.regex.groupindex)
        if entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, kwargs, None
        else:
            yield pattern, kwargs, _example_path(pattern)


def _example_path(pattern: str) -> str:
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: m.ADMIN_ARGS[match[1]], pattern)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: m.ADMIN_ARGS[match[1]], path)
    return "/" + path.replace("^", "").replace("$", "")


def _all_rows() -> list[m.Row]:
    rows = list(m.ROWS)
    for key, kwargs, path in _patterns():
        if key.startswith("admin:") or key.startswith("admin/"):
            rows.append(m.admin_row(key, kwargs, path))
    return rows


ROWS = _all_rows()


# The only patterns without a row: the benchmark's baselines, mounted
# only when a benchmark starts the server with MOIM_BENCH=1 (config/urls.py,
# realtime/routing.py), never in a deployment.
BENCH_ONLY = {"bench/bare/", "bench/floor/<slug:slug>/", "ws/bench/bare/"}


def test_every_url_pattern_has_a_row():
    keys = {row.key for row in ROWS} | BENCH_ONLY
    missing = [key for key, _kwargs, _path in _patterns() if key not in keys]
    assert not missing, f"URL patterns with no row in the access matrix: {missing}"


def test_every_websocket_route_has_a_row():
    from realtime.routing import websocket_urlpatterns

    routes = {str(route.pattern) for route in websocket_urlpatterns}
    missing = routes - {row.route for row in m.SOCKET_ROWS} - BENCH_ONLY
    assert not missing, f"websocket routes with no row in the matrix: {missing}"
    for row in m.SOCKET_ROWS:
        assert set(row.expect) == set(m.KINDS), row.id


def test_every_row_names_every_kind_it_is_tried_with():
    for row in ROWS:
        kinds = m.ADMIN_KINDS if row.key.startswith("admin") else m.KINDS
        assert set(row.expect) == set(kinds), row.id


# --- The world --------------------------------------------------------------------


def log_text(records) -> str:
    lines = []
    for record in records:
        lines += [record.getMessage(), repr(record.args)]
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(lines)


def mail_text(messages) -> str:
    parts = []
    for message in messages:
        parts += [str(message.subject), message.body, str(message.extra_headers)]
        parts += [content for content, _mime in getattr(message, "alternatives", [])]
        parts += [str(attachment) for attachment in message.attachments]
    return "\n".join(parts)


def _outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        login = (reverse("account_login"), reverse("admin:login"))
        if any(location.split("?")[0].endswith(path) for path in login):
            return m.LOGIN
        return m.ALLOWED
    if 200 <= status < 300:
        return m.ALLOWED
    return {
        400: m.BAD_REQUEST,
        401: m.UNAUTHORISED,
        403: m.FORBIDDEN,
        404: m.NOT_FOUND,
        405: m.NOT_ALLOWED,
    }[status]


def _url(row: m.Row, world: m.World) -> str:
    if row.path is not None:
        return row.path(world)
    args = row.args(world)
    if isinstance(args, dict):
        return reverse(row.key, kwargs=args)
    return reverse(row.key, args=args)


# Where the planted secrets may be read, by whom. The video link: in the
# attendee's own join redirect (its Location header, never a body) and on the
# organisers' pages of the main gathering. The survey answer: on the results
# page and CSV, which name no member.
ORGANISERS = ("organiser", "muted_host", "moderator", "staff")
LINK_IN_BODY = {
    (key, kind) for key in ("gathering_manage", "gathering_edit") for kind in ORGANISERS
}
LINK_IN_LOCATION = {("gathering_join", "attendee")}
ANSWER_IN_BODY = {
    (key, kind)
    for key in ("survey_results", "survey_results_csv")
    for kind in ("moderator", "staff")
}


# The private experience: on its owner's own pages only. The one for
# community members: to members of a community "member" belongs to (not to
# a member banned from it, one who left it, or staff of no community).
PRIVATE_EXPERIENCE_IN_BODY = {
    (key, "member") for key in ("member_path", "experience_edit", "path_json")
}
SHARES_A_COMMUNITY = {
    "member",
    "applicant",
    "waitlisted",
    "attendee",
    "organiser",
    "moderator",
    "muted_host",
    "muted_author",
}


def _marker_leaks(row: m.Row, kind: str, response, world: m.World) -> list[str]:
    body = response.content.decode(errors="replace")
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    leaks = []
    link_seen_in_body = MARKER_LINK in body
    if link_seen_in_body and (row.key, kind) not in LINK_IN_BODY:
        leaks.append("the video link in the body")
    if (
        link_seen_in_body
        and row.args(world)[-1:] != [world.main.pk]
        and row.key.startswith("gathering_")
    ):
        leaks.append("the video link on another gathering's page")
    if MARKER_LINK in headers and (row.key, kind) not in LINK_IN_LOCATION:
        leaks.append("the video link in a header")
    if m.PRIVATE_EXPERIENCE_MARKER in body + headers and (
        (row.key, kind) not in PRIVATE_EXPERIENCE_IN_BODY
    ):
        leaks.append("a private experience")
    if m.SHARED_EXPERIENCE_MARKER in body + headers and kind not in SHARES_A_COMMUNITY:
        leaks.append("an experience for community members")
    if m.SURVEY_MARKER in body + headers:
        if (row.key, kind) not in ANSWER_IN_BODY:
            leaks.append("the survey answer")
        for attendee in world.extra["held_attendees"]:
            for trace in (attendee.real_name, attendee.email, attendee.public_id):
                if trace in body:
                    leaks.append(f"the survey answer next to {trace}")
    return leaks


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_the_row_holds_for_every_kind(world, row, caplog):
    """Each kind gets its outcome; a refused POST changes nothing; no answer,
    mail or log line carries a planted secret where the matrix forbids it."""
    caplog.set_level(logging.DEBUG)
    wrong, leaks = {}, {}
    for kind, expected in row.expect.items():
        client = m.client_for(world, kind)
        url = _url(row, world)
        outbox = len(mail.outbox)
        with transaction.atomic():
            before = m.fingerprint()
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = getattr(client, row.method)(url, row.data(world))
            got = _outcome(response)
            refused = got == expected not in (m.ALLOWED, m.BAD_REQUEST)
            if refused and row.method == "post" and m.fingerprint() != before:
                got = f"{got}, but it changed the data"
            transaction.set_rollback(True)
        if got != expected:
            wrong[kind] = f"expected {expected}, got {got} ({response.status_code})"
        found = _marker_leaks(row, kind, response, world)
        mails = mail_text(mail.outbox[outbox:])
        if MARKER_LINK in mails or m.SURVEY_MARKER in mails:
            found.append("a secret in a mail")
        if found:
            leaks[kind] = found
    assert not wrong, f"{row.method.upper()} {url}: {wrong}"
    assert not leaks, f"{row.method.upper()} {url}: {leaks}"
    logged = log_text(caplog.records)
    assert MARKER_LINK not in logged
    assert m.SURVEY_MARKER not in logged


def test_the_secrets_are_where_the_matrix_allows_them(world):
    """The markers were planted, and do reach those who may read them (so
    the tests above would see a leak)."""
    manage = m.client_for(world, "organiser").get(
        reverse("gathering_manage", args=[world.community.slug, world.main.pk])
    )
    assert MARKER_LINK in manage.content.decode()
    join = m.client_for(world, "attendee").get(
        reverse("gathering_join", args=[world.join_token])
    )
    assert join["Location"] == MARKER_LINK
    results = m.client_for(world, "moderator").get(
        reverse("survey_results", args=[world.community.slug, world.held.pk])
    )
    assert m.SURVEY_MARKER in results.content.decode()


def test_the_secrets_are_in_no_mail_or_log_line_of_the_whole_run(world):
    """Building the world ran draws, offers, a confirmation, a survey and a
    ban through the services: their mails and log lines carry no secret."""
    mails = world.extra["mails"]
    assert mails, "the run sent mails"
    assert MARKER_LINK not in mail_text(mails)
    assert m.SURVEY_MARKER not in mail_text(mails)
    logged = log_text(world.extra["log_records"])
    assert MARKER_LINK not in logged
    assert m.SURVEY_MARKER not in logged


@pytest.mark.django_db
def test_each_experience_on_a_path_reaches_exactly_whom_its_visibility_names(world):
    """The path of "member" holds a private experience and one for community
    members: the owner reads both, a member of a community they share reads
    the second, anyone else neither (the leak check above refuses the
    converse on every page)."""
    url = reverse("member_path", args=[world.member("member").public_id])
    seen = {}
    for kind in m.KINDS:
        body = m.client_for(world, kind).get(url).content.decode()
        seen[kind] = (
            m.PRIVATE_EXPERIENCE_MARKER in body,
            m.SHARED_EXPERIENCE_MARKER in body,
        )

    expected = {
        kind: (kind == "member", kind in SHARES_A_COMMUNITY) for kind in m.KINDS
    }
    assert seen == expected

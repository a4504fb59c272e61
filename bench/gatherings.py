"""Gatherings under load: concurrent applications through the server, and a
draw over 100,000 applications.

    .venv/bin/python bench/gatherings.py                 # both parts
    .venv/bin/python bench/gatherings.py --only apply    # or --only draw

(a) ``apply``: 2,000 distinct verified members of one community apply to
one open lottery gathering at the same time, through daphne on 127.0.0.1
(DEBUG off), ``--concurrency`` requests in flight. Each client carries its
own session cookie (sessions are written straight into the database: logging
2,000 members in through the sign-in form would measure the password hasher)
and a CSRF cookie and token. Reported: applications stored (must equal the
members: 0 lost), a second round in which 200 of them submit again twice at
once (must store nothing: 0 duplicates), HTTP 5xx answers (must be 0),
applications/s, and the ratio to the bare view's req/s measured on the same
server in the same run, before and after.

(b) ``draw``: 100,000 applications (rows written with COPY) are frozen with
the real ``events.services.draw.applications_freeze`` and drawn with
``draw_run`` inside one transaction holding the gathering's lock, twice in
the same run: as moim-draw-v1 (no terms) and as moim-draw-v2 (terms
committed at opening naming a beacon round, the round mixed in, the
community log, the offers as movements); then ``--declines`` winners decline
(as many promotions on the log) and each record is verified; reported in seconds and
SQL queries for each step, v2 against v1.

The script creates its own PostgreSQL database (dropped and re-created; its
name must contain "bench"), contacts nothing but 127.0.0.1, and on exit,
Ctrl-C and SIGTERM included, stops the server, drops the database and removes
the server's keys from Redis (``--keep-db`` keeps the database).
"""

import argparse
import asyncio
import os
import secrets
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

# The server, database and HTTP plumbing are the forum benchmark's.
import forum
from forum import (
    HOST,
    BadResponse,
    Result,
    copy_rows,
    database_recreate,
    django_setup,
    free_port,
    measure,
    migrate,
    server_start,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/moim_bench_gatherings"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
COMMUNITY = "bench-gatherings"
# One secret for this process and the server: the sessions written here are
# signed with it and must be valid there.
SECRET_KEY = "bench-" + secrets.token_hex(32)


def server_env(args) -> dict[str, str]:
    return {**forum_server_env(args), "SECRET_KEY": SECRET_KEY}


forum_server_env, forum.server_env = forum.server_env, server_env


# --- Data ------------------------------------------------------------------------


def members_copy(count: int, prefix: str, password: str) -> list[int]:
    """``count`` verified, onboarded members (COPY), returning their ids."""
    from allauth.account.models import EmailAddress

    from community.models import Member
    from community.roles import JobRole

    now = datetime.now(UTC)
    copy_rows(
        Member,
        (
            {
                "email": f"{prefix}{i:06d}@bench.moim.kr",
                "public_id": secrets.token_urlsafe(8),
                "password": password,
                "real_name": f"회원{i:06d}",
                "role": JobRole.PERFORMANCE_MARKETING,
                "date_joined": now - timedelta(days=100),
                "last_login": None,
                "nickname_key": None,
            }
            for i in range(count)
        ),
    )
    ids = list(
        Member.objects.filter(
            email__startswith=prefix, email__endswith="@bench.moim.kr"
        )
        .order_by("pk")
        .values_list("pk", "email")
    )
    copy_rows(
        EmailAddress,
        (
            {"user_id": pk, "email": email, "verified": True, "primary": True}
            for pk, email in ids
        ),
    )
    return [pk for pk, _email in ids]


def community_with(member_ids: list[int], host_id: int):
    from community.models import Community, Membership, MembershipRole
    from community.roles import JobRole

    community, _ = Community.objects.get_or_create(
        slug=COMMUNITY,
        defaults={
            "name": "벤치마크 커뮤니티",
            "role": JobRole.PERFORMANCE_MARKETING,
            "description": "",
        },
    )
    Membership.objects.get_or_create(
        community=community, member_id=host_id, defaults={"role": MembershipRole.OWNER}
    )
    copy_rows(
        Membership,
        (
            {
                "community_id": community.pk,
                "member_id": pk,
                "role": MembershipRole.MEMBER,
                "joined_at": datetime.now(UTC),
            }
            for pk in member_ids
        ),
    )
    Community.objects.filter(pk=community.pk).update(member_count=len(member_ids) + 1)
    return community


def gathering_open(community, host, title: str):
    """An open lottery gathering, made and published by the services."""
    from events.models import GatheringFormat, SelectionMode
    from events.services.gatherings import gathering_create, gathering_publish

    now = datetime.now(UTC)
    starts = now + timedelta(days=3)
    gathering = gathering_create(
        community=community,
        created_by=host,
        title=title,
        description="벤치마크",
        format=GatheringFormat.ONLINE,
        video_link="https://zoom.us/j/0000000000?pwd=bench-not-a-real-meeting",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=20,
        selection_mode=SelectionMode.LOTTERY,
        applications_open_at=now - timedelta(minutes=5),
        applications_close_at=now + timedelta(days=1),
    )
    return gathering_publish(gathering=gathering)


@dataclass
class Client:
    member_id: int
    session_key: str
    csrf: str


def sessions_create(member_ids: list[int]) -> list[Client]:
    """A signed-in session per member, stored directly (tests/mixed_load.py's
    ``sessions_store``): what the sign-in view would store, without hashing
    2,000 passwords."""
    from django.middleware.csrf import _get_new_csrf_string

    from tests.mixed_load import sessions_store

    keys = sessions_store(member_ids)
    return [Client(pk, keys[pk], _get_new_csrf_string()) for pk in sorted(keys)]


# --- (a) Concurrent applications ----------------------------------------------------


async def _post(reader, writer, port: int, path: str, client: Client):
    """One keep-alive POST as ``client``; returns (status, whether the
    server closes, Location)."""
    body = b"motivation=bench"
    writer.write(
        (
            f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Accept-Language: ko\r\nUser-Agent: moim-bench\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"X-CSRFToken: {client.csrf}\r\n"
            f"Cookie: sessionid={client.session_key}; csrftoken={client.csrf}\r\n"
            "\r\n"
        ).encode()
        + body
    )
    await writer.drain()
    return await _response(reader)


async def _response(reader) -> tuple[int, bool, str]:
    status, close, headers = await forum.response_read(reader)
    return status, close, headers.get("location", "")


@dataclass
class Round:
    name: str
    statuses: dict[str, int] = field(default_factory=dict)
    failures: int = 0  # timeouts, broken connections
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for key, n in self.statuses.items() if key.startswith("5"))


async def post_all(
    port: int, path: str, clients: list[Client], concurrency: int, timeout: float
) -> Round:
    """Every client POSTs once; ``concurrency`` requests in flight, each
    worker on its own keep-alive connection. Bounded: one request per
    client, each with a timeout."""
    result = Round(path)
    queue = iter(clients)
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def worker():
        conn = None
        for client in queue:
            try:
                if conn is None:
                    conn = await asyncio.wait_for(
                        asyncio.open_connection(HOST, port), timeout
                    )
                t0 = time.perf_counter()
                status, close, location = await asyncio.wait_for(
                    _post(*conn, port, path, client), timeout
                )
            except (OSError, TimeoutError, BadResponse, ValueError, IndexError):
                result.failures += 1
                if conn is not None:
                    conn[1].close()
                conn = None
                continue
            result.latencies.append(time.perf_counter() - t0)
            # A refusal redirects too: where to tells them apart.
            key = f"{status} {'→ login' if 'login' in location else ''}".strip()
            result.statuses[key] = result.statuses.get(key, 0) + 1
            if close:
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed = loop.time() - started
    return result


def part_apply(args, port: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count
    from django.urls import reverse

    from community.models import Member
    from events.models import Application

    t = time.perf_counter()
    password = make_password("bench-password-not-used")
    host_id = members_copy(1, "apphost", password)[0]
    member_ids = members_copy(args.members, "applicant", password)
    community = community_with(member_ids, host_id)
    gathering = gathering_open(
        community, Member.objects.get(pk=host_id), "퍼포먼스 마케터끼리 만나요"
    )
    clients = sessions_create(member_ids)
    print(
        f"  {len(clients):,} members with sessions, gathering {gathering.pk}: "
        f"{time.perf_counter() - t:.1f} s"
    )
    path = reverse("gathering_apply", args=[community.slug, gathering.pk])

    def bare() -> Result:
        return asyncio.run(
            measure(
                "bare view",
                port,
                "/bench/bare/",
                concurrency=args.concurrency,
                duration=args.bare_duration,
                max_requests=args.bare_requests,
            )
        )

    bare()  # warm-up
    bare_before = bare()
    applied = asyncio.run(post_all(port, path, clients, args.concurrency, args.timeout))
    bare_after = bare()
    stored = Application.objects.filter(gathering=gathering)
    rows_after_first = stored.count()
    # Every member at most once, whatever arrived.
    per_member = stored.values("member").annotate(n=Count("pk")).filter(n__gt=1).count()
    again = clients[: args.resubmit]
    resubmitted = asyncio.run(
        post_all(port, path, again + again, args.concurrency, args.timeout)
    )
    rows_after_second = stored.count()
    bare_rps = (len(bare_before.latencies) + len(bare_after.latencies)) / (
        bare_before.elapsed + bare_after.elapsed
    )
    apps_per_s = rows_after_first / applied.elapsed
    return {
        "members": len(clients),
        "stored": rows_after_first,
        "lost": len(clients) - rows_after_first,
        "members_twice": per_member,
        "resubmits": len(again) * 2,
        "duplicates": rows_after_second - rows_after_first,
        "statuses": applied.statuses,
        "resubmit_statuses": resubmitted.statuses,
        "server_errors": applied.server_errors + resubmitted.server_errors,
        "failures": applied.failures + resubmitted.failures,
        "elapsed": applied.elapsed,
        "apps_per_s": apps_per_s,
        "p50_ms": _percentile(applied.latencies, 50),
        "p99_ms": _percentile(applied.latencies, 99),
        "bare_rps": bare_rps,
        "bare_before": bare_before.rps,
        "bare_after": bare_after.rps,
        "bare_errors": bare_before.errors + bare_after.errors,
        "ratio": apps_per_s / bare_rps if bare_rps else float("nan"),
    }


def _percentile(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000


# --- (b) The draw over 100,000 applications ------------------------------------------


def part_draw(args) -> dict:
    """The same 100,000 members apply to two gatherings of one community:
    one drawn as moim-draw-v1 (no terms, no log), one as moim-draw-v2 (terms
    committed at opening naming a beacon round, the community log, the
    draw's offers as movements); then 20 seats given back and promoted, and
    each record verified."""
    from django.contrib.auth.hashers import make_password

    from community.models import Member

    t = time.perf_counter()
    password = make_password("bench-password-not-used")
    host_id = members_copy(1, "drawhost", password)[0]
    member_ids = members_copy(args.draw_applications, "drawer", password)
    community = community_with(member_ids, host_id)
    host = Member.objects.get(pk=host_id)
    print(f"  {len(member_ids):,} members: {time.perf_counter() - t:.1f} s")
    return {
        version: _draw_one(version, community, host, member_ids, args.declines)
        for version in ("v1", "v2")
    }


def _draw_one(
    version: str, community, host, member_ids: list[int], declines: int
) -> dict:
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from events import draw as algorithm
    from events.beacon import BeaconRound, round_verify
    from events.models import (
        Application,
        ApplicationStatus,
        Gathering,
        GatheringStatus,
    )
    from events.selectors import draw_record_for_page
    from events.services.draw import applications_freeze, draw_run
    from events.services.offers import offer_decline
    from events.services.seats import locked_gathering

    t = time.perf_counter()
    if version == "v2":
        # A relay configured (never asked here) makes the terms name the
        # first quicknet round after the close.
        settings.MOIM_BEACON_URLS = ["http://127.0.0.1:9"]
        gathering = gathering_open(community, host, "추첨 벤치마크 v2")
        settings.MOIM_BEACON_URLS = []
        assert gathering.terms["beacon"] is not None
    else:
        gathering = gathering_draft_v1(community, host, "추첨 벤치마크 v1")
    now = datetime.now(UTC)
    with transaction.atomic():
        copy_rows(
            Application,
            (
                {
                    "gathering_id": gathering.pk,
                    "member_id": pk,
                    "public_id": f"{version}{i:07d}",
                    "status": ApplicationStatus.APPLIED,
                    "answers": "[]",
                    "created_at": now - timedelta(seconds=i),
                    "updated_at": now,
                }
                for i, pk in enumerate(member_ids)
            ),
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE events_application")
    print(f"  {version}: applications loaded: {time.perf_counter() - t:.1f} s")

    close = now + timedelta(minutes=1)
    # Applications close; the window is moved rather than waited for.
    Gathering.objects.filter(pk=gathering.pk).update(applications_close_at=close)
    figures = {"applications": len(member_ids)}
    beacon = None
    if version == "v2":
        # Round 123's real signature, under the named round's number: the
        # draw's arithmetic is the same; its check is timed on its own.
        recorded = bytes.fromhex(
            "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486"
            "d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92"
        )
        t = time.perf_counter()
        assert round_verify(
            BeaconRound(
                round=123,
                randomness=bytes.fromhex(
                    "fb8f7bc29bf24db51871ec8c79f3a1e4bd0557bc0dfcee9ed1d924e69d1c60dc"
                ),
                signature=recorded,
            )
        )
        figures["beacon_verify_s"] = time.perf_counter() - t
        beacon = BeaconRound(
            round=gathering.terms["beacon"]["round"],
            randomness=bytes.fromhex(
                "fb8f7bc29bf24db51871ec8c79f3a1e4bd0557bc0dfcee9ed1d924e69d1c60dc"
            ),
            signature=recorded,
        )
    with transaction.atomic():
        locked = locked_gathering(gathering.pk)
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            applications_freeze(locked, close)
        figures["freeze_s"] = time.perf_counter() - t
        figures["freeze_queries"] = len(queries)
        figures["freeze_kinds"] = _kinds(queries)
        print(
            f"  {version}: freeze done: {figures['freeze_s']:.1f} s, "
            f"{figures['freeze_queries']} queries",
            flush=True,
        )
        locked.status = GatheringStatus.CLOSED
        Gathering.objects.filter(pk=locked.pk).update(status=GatheringStatus.CLOSED)
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            draw = draw_run(gathering=locked, now=close, beacon=beacon)
        figures["draw_s"] = time.perf_counter() - t
        figures["draw_queries"] = len(queries)
        figures["draw_kinds"] = _kinds(queries)
        Gathering.objects.filter(pk=locked.pk).update(status=GatheringStatus.DRAWN)
    winners = list(
        Application.objects.filter(
            gathering=gathering, status=ApplicationStatus.OFFERED
        ).select_related("member")[:declines]
    )
    t = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        for application in winners:
            offer_decline(member=application.member, gathering=gathering, now=close)
    figures["declines"] = len(winners)
    figures["declines_s"] = time.perf_counter() - t
    figures["declines_queries"] = len(queries)
    record = draw_record_for_page(gathering=Gathering.objects.get(pk=gathering.pk))
    t = time.perf_counter()
    problems = algorithm.verify(record)
    figures["verify_s"] = time.perf_counter() - t
    figures["verify_problems"] = len(problems)
    figures["movements"] = len(record.get("movements", []))
    figures["outcomes"] = dict(
        Application.objects.filter(gathering=gathering)
        .values_list("status")
        .annotate(n=_count())
    )
    figures["entries"] = len(draw.record["entries"])
    return figures


def gathering_draft_v1(community, host, title: str):
    """An open lottery gathering without committed terms, as every gathering
    was before moim-draw-v2: drawn by v1, logged nowhere."""
    from events.models import Gathering, GatheringStatus
    from events.services.gatherings import gathering_create

    now = datetime.now(UTC)
    starts = now + timedelta(days=3)
    gathering = gathering_create(
        community=community,
        created_by=host,
        title=title,
        description="벤치마크",
        video_link="https://zoom.us/j/0000000000?pwd=bench-not-a-real-meeting",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=20,
        applications_open_at=now - timedelta(minutes=5),
        applications_close_at=now + timedelta(days=1),
    )
    Gathering.objects.filter(pk=gathering.pk).update(
        status=GatheringStatus.OPEN, published_at=now
    )
    gathering.refresh_from_db()
    return gathering


def _count():
    from django.db.models import Count

    return Count("pk")


def _kinds(queries) -> dict[str, int]:
    """Queries by their first word and table, e.g. 'UPDATE events_application'."""
    kinds: dict[str, int] = {}
    for query in queries:
        words = query["sql"].replace('"', "").split()
        table = next((w for w in words if w.startswith(("events_", "community_"))), "?")
        key = f"{words[0]} {table}"
        kinds[key] = kinds.get(key, 0) + 1
    return kinds


# --- Main ----------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--only", choices=["apply", "draw"])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--resubmit", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request")
    parser.add_argument("--bare-duration", type=float, default=6.0)
    parser.add_argument("--bare-requests", type=int, default=5000)
    parser.add_argument("--draw-applications", type=int, default=100_000)
    parser.add_argument(
        "--declines",
        type=int,
        default=3,
        help="winners who decline after the draw (each renumbers the waitlist)",
    )
    parser.add_argument("--pool", type=int, default=10, help="DATABASE_POOL_MAX")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--force", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.debug = False
    return args


def report_apply(f: dict) -> str:
    return "\n".join(
        [
            "| measure                         |        value |",
            "|---------------------------------|-------------:|",
            f"| members applying at once        | {f['members']:>12,} |",
            f"| applications stored             | {f['stored']:>12,} |",
            f"| lost                            | {f['lost']:>12,} |",
            f"| members stored twice            | {f['members_twice']:>12,} |",
            f"| re-submits (same members, × 2)  | {f['resubmits']:>12,} |",
            f"| duplicates stored by re-submits | {f['duplicates']:>12,} |",
            f"| HTTP 5xx                        | {f['server_errors']:>12,} |",
            f"| timeouts / broken connections   | {f['failures']:>12,} |",
            f"| seconds for all applications    | {f['elapsed']:>12.1f} |",
            f"| applications/s                  | {f['apps_per_s']:>12.1f} |",
            f"| apply p50 / p99 ms              | {f['p50_ms']:>5.0f} / "
            f"{f['p99_ms']:>4.0f} |",
            f"| bare view req/s (before, after) | {f['bare_rps']:>12.1f} |",
            f"| ratio to the bare view          | {f['ratio']:>12.2f} |",
        ]
    )


def report_draw(d: dict) -> str:
    v1, v2 = d["v1"], d["v2"]

    def row(label: str, key: str, unit: str = "s") -> str:
        if unit == "s":
            a, b = f"{v1[key]:.2f} s", f"{v2[key]:.2f} s"
            ratio = f"{v2[key] / v1[key]:.2f}" if v1[key] else "–"
        else:
            a, b = str(v1[key]), str(v2[key])
            ratio = f"{v2[key] / v1[key]:.2f}" if v1[key] else "–"
        return f"| {label:<32} | {a:>10} | {b:>10} | {ratio:>6} |"

    lines = [
        "",
        f"| {'':<32} | {'v1':>10} | {'v2':>10} | {'v2/v1':>6} |",
        f"|{'-' * 34}|{'-' * 12}|{'-' * 12}|{'-' * 8}|",
        row("freeze (applications_freeze)", "freeze_s"),
        row("freeze queries", "freeze_queries", "n"),
        row("draw (draw_run)", "draw_s"),
        row("draw queries", "draw_queries", "n"),
        row(f"{v1['declines']} declines and promotions", "declines_s"),
        row("their queries", "declines_queries", "n"),
        row("verify the record", "verify_s"),
        row("movements on the record", "movements", "n"),
        "",
        f"beacon signature check (round 123): {v2['beacon_verify_s'] * 1000:.1f} ms",
        f"v1 outcomes {v1['outcomes']}, verify problems {v1['verify_problems']}",
        f"v2 outcomes {v2['outcomes']}, verify problems {v2['verify_problems']}",
        f"v2 draw queries by kind: {v2['draw_kinds']}",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    proc = None
    created = False

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        print(f"Creating {urlsplit(args.database_url).path.lstrip('/')} …")
        database_recreate(args.database_url, args.force)
        created = True
        migrate(args)
        django_setup(args)
        if args.only in (None, "draw"):
            print(f"(b) draw over {args.draw_applications:,} applications, v1 and v2")
            print(report_draw(part_draw(args)))
        if args.only in (None, "apply"):
            port = free_port()
            log = Path("/tmp") / f"moim-bench-gatherings-daphne-{port}.log"
            proc = server_start(args, port, log)
            print(
                f"(a) {args.members:,} members apply at once: daphne on "
                f"{HOST}:{port} (DEBUG off), concurrency {args.concurrency}"
            )
            a = part_apply(args, port)
            print(f"  statuses: {a['statuses']}, re-submits: {a['resubmit_statuses']}")
            print(
                f"  bare view: {a['bare_before']:.1f} req/s before, "
                f"{a['bare_after']:.1f} after, {a['bare_errors']} errors"
            )
            print()
            print(report_apply(a))
        load = os.getloadavg()
        print(
            f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · load average "
            f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs"
        )
        return 0
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        return 130
    finally:
        forum.teardown(args, proc, created)


if __name__ == "__main__":
    sys.exit(main())

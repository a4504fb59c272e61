"""Forum pages against a bare Django view, on one daphne server, in one run.

    .venv/bin/python bench/forum.py --small         # 5,000 threads, 50,000 comments
    .venv/bin/python bench/forum.py                 # 20,000 threads, 200,000 comments

The script creates its own PostgreSQL database (dropped and re-created: its
name must contain "bench"), migrates it, loads a data set with COPY, starts
daphne on 127.0.0.1 with DEBUG off, and measures requests/s and p50/p99
latency of each page with a fixed concurrency, for a bounded time and number
of requests. Every page is reported as a ratio of the bare view, which goes
through the same middleware on the same server; the goal is ≥ 0.40 for
signed-out readers, ≥ 0.50 (busy thread ≥ 0.40) for signed-in ones.

Requests are GETs with ``Accept-Language: ko``, by signed-in readers (a
member with a history, a moderator, a member with unread threads) and by
signed-out ones. Pages are kept a few seconds for signed-out readers
(``community.page_cache``, the production default); a second server renders
every request for them. Beside the pages, the floor (``config.bench_views``:
the door and a page read whole from the cache) shows the fastest any page
could be for a member and for a signed-out reader. Nothing but
127.0.0.1 is contacted; the server is stopped and the database dropped on
exit, Ctrl-C included (``--keep-db`` keeps it, ``--reuse-db`` measures an
existing one).
"""

import argparse
import asyncio
import itertools
import math
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/moim_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
GOAL = 0.40
# Issue #15: a signed-in member's pages against the bare view.
GOAL_MEMBER = 0.50
GOAL_MEMBER_BUSY = 0.40
GOAL_MEMBER_P99 = 2.0
BUSY_COMMENTS = 500
# One secret for this process and the servers: the members' sessions are
# written here and must be valid there.
SECRET_KEY = "bench-" + secrets.token_hex(32)


# --- Settings for the server and for this process ----------------------------


def server_env(args) -> dict[str, str]:
    """Production-like: DEBUG off. SSL redirection is off and the host list
    is loopback because the server is reached over plain HTTP on 127.0.0.1;
    every other DEBUG-off setting (HSTS, secure cookies, CSP) stays.

    The other benchmarks call this with their own options: what only this
    script defines (``--page-seconds``, ``--debug``, ``--pool``) is read
    with a default, so that their absence is not an error."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        DJANGO_DEBUG="1" if getattr(args, "debug", False) else "0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS=HOST,
        SECRET_KEY=SECRET_KEY,
        MOIM_BENCH="1",
        LOG_LEVEL="WARNING",
        DATABASE_POOL_MAX=str(getattr(args, "pool", 10)),
        PYTHONUNBUFFERED="1",
    )
    page_seconds = getattr(args, "page_seconds", None)
    if page_seconds is not None:
        env["MOIM_ANONYMOUS_PAGE_SECONDS"] = str(page_seconds)
    if getattr(args, "no_redis", False):
        env.pop("REDIS_URL", None)
    else:
        env["REDIS_URL"] = args.redis_url
    return env


def django_setup(args) -> None:
    os.environ.update(
        {k: v for k, v in server_env(args).items() if k != "PYTHONUNBUFFERED"}
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Database -------------------------------------------------------------------


def database_recreate(url: str, force: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name and not force:
        sys.exit(f"Refusing to drop the database {name!r}: its name has no 'bench'.")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def migrate(args) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env(args),
        check=True,
    )


# --- Data set --------------------------------------------------------------------


def copy_rows(model, rows) -> int:
    """COPY ``rows`` (dicts keyed by attname) into ``model``'s table; fields
    a row leaves out get their model default, so columns added later still
    load."""
    from django.db import connection

    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    # Without explicit ids the database numbers the rows.
    fields = [
        f for f in model._meta.concrete_fields if not f.primary_key or "id" in first
    ]
    rows = itertools.chain([first], rows)
    defaults = {f.attname: f.get_default() for f in fields}
    columns = ", ".join(f'"{f.column}"' for f in fields)
    names = [f.attname for f in fields]
    count = 0
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row([row.get(n, defaults[n]) for n in names])
            count += 1
    return count


def sequences_reset(*models) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 1))"
            )


@dataclass
class Targets:
    community: str
    board: str
    thread_id: int
    word: str
    threads_in_community: int
    comments_on_thread: int


def body_pool():
    """(text, html) pairs from the demo threads, each rendered once: the
    stored HTML is what pages show, and rendering 200,000 bodies one by one
    would take minutes."""
    from community.demo_content import THREADS
    from community.markdown import markdown_render

    threads, comments = [], []
    for specs in THREADS.values():
        for spec in specs:
            threads.append((spec.title, spec.body, markdown_render(spec.body)))
            for c in spec.comments:
                for text in (c.text, *c.replies):
                    text = text.replace("{op}", "").replace("{c0}", "")
                    comments.append((text, markdown_render(text)))
    return threads, comments


def load(args, rnd: random.Random) -> Targets:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from community import legal
    from community.demo import COMMUNITIES, forum_counters_refresh
    from community.models import (
        Board,
        Comment,
        Community,
        DisplayMode,
        Member,
        Membership,
        MembershipRole,
        Reaction,
        Thread,
        ThreadTag,
    )
    from community.roles import JobRole
    from community.services.communities import DEFAULT_BOARDS
    from community.services.threads import HOT_EPOCH, HOT_HALF_DAY

    started = time.perf_counter()
    now = datetime.now(UTC)
    roles = list(JobRole)
    n_members = max(1000, args.communities * 60)
    password = make_password("bench-password-not-used")

    with transaction.atomic():
        members = Member.objects.bulk_create(
            (
                Member(
                    email=f"bench{i:06d}@bench.moim.kr",
                    password=password,
                    real_name=f"회원{i:06d}",
                    nickname=f"닉{i:06d}" if i % 2 else "",
                    nickname_key=f"닉{i:06d}" if i % 2 else None,
                    display_mode=DisplayMode.NICKNAME if i % 2 else "real_name",
                    role=roles[i % len(roles)],
                    date_joined=now - timedelta(days=400),
                    # Agreed to the documents in force: not sent to agree.
                    legal_agreed=legal.required_key(),
                )
                for i in range(n_members)
            ),
            batch_size=2000,
        )
        communities = Community.objects.bulk_create(
            Community(
                slug=f"{COMMUNITIES[i % len(COMMUNITIES)][0]}-{i:02d}",
                name=f"{COMMUNITIES[i % len(COMMUNITIES)][1]} {i + 1}",
                role=COMMUNITIES[i % len(COMMUNITIES)][2],
                description=COMMUNITIES[i % len(COMMUNITIES)][3],
            )
            for i in range(args.communities)
        )
        boards = Board.objects.bulk_create(
            Board(
                community=c,
                slug=slug,
                name=name,
                description=description,
                allows_promotion=promotion,
                position=position,
            )
            for c in communities
            for position, (slug, name, description, promotion) in enumerate(
                DEFAULT_BOARDS
            )
        )
        boards_of = {(b.community_id, b.slug): b.pk for b in boards}
        # Everyone joins three communities; the first two members of each
        # own and moderate it.
        people: dict[int, list[int]] = {c.pk: [] for c in communities}
        memberships = []
        for member in members:
            for c in rnd.sample(communities, min(3, len(communities))):
                people[c.pk].append(member.pk)
                memberships.append(Membership(community=c, member=member))
        for c in communities:
            if not people[c.pk]:
                people[c.pk].append(members[0].pk)
                memberships.append(Membership(community=c, member=members[0]))
        Membership.objects.bulk_create(memberships, batch_size=5000)
        for c in communities:
            Membership.objects.filter(
                community=c, member_id__in=people[c.pk][:1]
            ).update(role=MembershipRole.OWNER)
            Membership.objects.filter(
                community=c, member_id__in=people[c.pk][1:2]
            ).update(role=MembershipRole.MODERATOR)
    print(f"  members, communities, memberships: {time.perf_counter() - started:.1f} s")

    thread_pool, comment_pool = body_pool()
    # A few big communities and a long tail, as on any forum.
    weights = [1 / (i + 1) ** 0.8 for i in range(len(communities))]
    owner_of = rnd.choices(communities, weights=weights, k=args.threads)
    board_slugs = [s for s, *_ in DEFAULT_BOARDS]
    thread_meta: list[tuple[int, datetime, list[int]]] = []

    def threads():
        for tid in range(1, args.threads + 1):
            community = owner_of[tid - 1] if tid > 1 else communities[0]
            board = (
                rnd.choices(board_slugs, weights=[7, 2, 1])[0]
                if tid > 1
                else "job-talk"
            )
            tag = {
                "job-talk": rnd.choice(
                    [ThreadTag.QUESTION, ThreadTag.INFO, ThreadTag.DISCUSSION]
                ),
                "introductions": rnd.choice(
                    [ThreadTag.DISCUSSION, ThreadTag.PROMOTION]
                ),
                "gathering-reviews": ThreadTag.REVIEW,
            }[board]
            title, body, html = rnd.choice(thread_pool)
            created = now - timedelta(seconds=rnd.uniform(600, 365 * 86400))
            if tid == 1:
                created = now - timedelta(days=2)
            thread_meta.append((tid, created, people[community.pk]))
            yield {
                "id": tid,
                "community_id": community.pk,
                "board_id": boards_of[community.pk, board],
                "author_id": rnd.choice(people[community.pk]),
                "tag": tag,
                "title": title[:110] + f" #{tid}",
                "body": body,
                "body_html": html,
                "view_count": rnd.randint(0, 3000),
                "hot_score": (created - HOT_EPOCH).total_seconds() / HOT_HALF_DAY,
                "created_at": created,
                "last_activity_at": created,
            }

    def comments():
        # Thread 1 is the busy thread; the rest share the remaining comments
        # with a long tail (most threads get a few, some get dozens).
        rest = max(0, args.comments - BUSY_COMMENTS)
        tail = [rnd.paretovariate(1.5) for _ in range(args.threads - 1)]
        scale = rest / sum(tail) if tail else 0
        # Capped below the busy thread, so that it stays the busiest; what
        # truncation and the cap leave over goes to threads picked at random.
        counts = [BUSY_COMMENTS] + [
            min(BUSY_COMMENTS // 2, int(w * scale)) for w in tail
        ]
        for k in rnd.choices(
            range(1, len(counts)), k=max(0, args.comments - sum(counts))
        ):
            counts[k] += 1
        cid = 0
        for (tid, created, crowd), n in zip(thread_meta, counts, strict=True):
            tops: list[int] = []
            span = (now - created).total_seconds()
            for k in range(max(0, n)):
                cid += 1
                parent = rnd.choice(tops) if tops and rnd.random() < 0.3 else None
                if parent is None:
                    tops.append(cid)
                text, html = rnd.choice(comment_pool)
                yield {
                    "id": cid,
                    "thread_id": tid,
                    "parent_id": parent,
                    "author_id": rnd.choice(crowd),
                    "body": text,
                    "body_html": html,
                    "created_at": created + timedelta(seconds=span * (k + 1) / (n + 2)),
                }

    def reactions():
        for tid, _created, crowd in thread_meta:
            for member_id in rnd.sample(crowd, min(len(crowd), rnd.randint(0, 8))):
                yield {"member_id": member_id, "thread_id": tid, "kind": "empathy"}

    with transaction.atomic():
        t = time.perf_counter()
        copy_rows(Thread, threads())
        copy_rows(Comment, comments())
        copy_rows(Reaction, reactions())
        sequences_reset(Thread, Comment)
        print(f"  threads, comments, reactions (COPY): {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        # Planner statistics for the freshly copied tables, or the counting
        # queries below are planned for empty ones.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        forum_counters_refresh(communities)
        print(f"  counters (forum_counters_refresh): {time.perf_counter() - t:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  data set loaded in {time.perf_counter() - started:.1f} s")
    return targets_find()


def targets_find(word: str = "리텐션") -> Targets:
    """The pages to measure: the biggest community, its job-talk board, its
    busiest thread."""
    from django.db.models import Count

    from community.models import Community, Thread

    community = (
        Community.objects.annotate(n=Count("threads")).order_by("-n", "pk").first()
    )
    thread = Thread.objects.filter(community=community).order_by("-comment_count")[0]
    return Targets(
        community=community.slug,
        board="job-talk",
        thread_id=thread.pk,
        word=word,
        threads_in_community=community.n,
        comments_on_thread=thread.comment_count,
    )


# --- Signed-in readers -------------------------------------------------------------


READER_EMAILS = {
    "member": "bench-reader-member@bench.moim.kr",
    "moderator": "bench-reader-moderator@bench.moim.kr",
    "member, unread": "bench-reader-unread@bench.moim.kr",
}
# The reader whose board page shows unread marks (readers_prepare): measured
# on the board only, next to the member who has read nothing there.
UNREAD_READER = "member, unread"
UNREAD_PAGE = "thread list (board)"


def readers_prepare(targets: Targets) -> dict[str, int]:
    """Two members of the busiest community with the history a regular
    has, the second one its moderator: each reacted to the busy thread and
    to 40 of its comments, wrote 5 of them, bookmarked it and 40 other
    threads, and has 40 notifications, 12 unread. A third member, with the
    same history, joined a month ago and has read the board's 40 latest
    threads but every fifth, each up to its third-last comment (so a page
    of the board shows unread counts, and the threads of the last week it
    never opened as new). Idempotent (--reuse-db): what exists is kept,
    notifications and read positions are written afresh."""
    from allauth.account.models import EmailAddress
    from django.db import transaction

    from community import legal
    from community.demo import forum_counters_refresh
    from community.models import (
        Bookmark,
        Comment,
        Community,
        Member,
        Membership,
        MembershipRole,
        Notification,
        NotificationKind,
        Reaction,
        Thread,
    )
    from community.roles import JobRole

    community = Community.objects.get(slug=targets.community)
    now = datetime.now(UTC)
    ids: dict[str, int] = {}
    with transaction.atomic():
        for offset, (kind, email) in enumerate(READER_EMAILS.items()):
            member, _ = Member.objects.get_or_create(
                email=email,
                defaults={
                    "real_name": f"벤치 {kind}",
                    "role": JobRole.PERFORMANCE_MARKETING,
                    "date_joined": now - timedelta(days=300),
                },
            )
            # Agreed to the documents in force (as the loaded members): a
            # reader without it is sent to agree first (303), not served.
            Member.objects.filter(pk=member.pk).update(
                legal_agreed=legal.required_key()
            )
            ids[kind] = member.pk
            EmailAddress.objects.get_or_create(
                user=member, email=email, defaults={"verified": True, "primary": True}
            )
            Membership.objects.update_or_create(
                community=community,
                member=member,
                defaults={
                    "role": MembershipRole.MODERATOR
                    if kind == "moderator"
                    else MembershipRole.MEMBER,
                    # The others join now: nothing is new to them.
                    "joined_at": now
                    - timedelta(days=30 if kind == UNREAD_READER else 0),
                },
            )
            if kind == UNREAD_READER:
                threads_read_prepare(member, targets, community)
            comments = list(
                Comment.objects.filter(thread_id=targets.thread_id)
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)[:80]
            )
            # Spread over the first page: every other comment, from the
            # offset, reacted to; five of them written by the reader.
            mine = comments[offset::2][:40]
            reactions = [Reaction(member=member, comment_id=pk) for pk in mine]
            reactions.append(Reaction(member=member, thread_id=targets.thread_id))
            for reaction in reactions:
                reaction.kind = "empathy"
            Reaction.objects.bulk_create(reactions, ignore_conflicts=True)
            Comment.objects.filter(pk__in=mine[3::8]).update(author=member)
            others = list(
                Thread.objects.filter(community=community)
                .exclude(pk=targets.thread_id)
                .order_by("-last_activity_at")
                .values_list("pk", flat=True)[offset : offset + 40]
            )
            Bookmark.objects.bulk_create(
                [
                    Bookmark(member=member, thread_id=pk)
                    for pk in [targets.thread_id, *others]
                ],
                ignore_conflicts=True,
            )
            Notification.objects.filter(recipient=member).delete()
            Notification.objects.bulk_create(
                Notification(
                    recipient=member,
                    kind=NotificationKind.REPLY,
                    thread_id=targets.thread_id,
                    comment_id=comments[-1 - n],
                    created_at=now - timedelta(hours=n),
                    read_at=None if n < 12 else now,
                )
                for n in range(40)
            )
        forum_counters_refresh([community])
    return ids


def threads_read_prepare(member, targets: Targets, community) -> None:
    """``member``'s read positions on the board (readers_prepare)."""
    from community.models import Comment, Thread, ThreadRead

    latest = list(
        Thread.objects.filter(community=community, board__slug=targets.board)
        .order_by("-is_pinned", "-last_activity_at", "-pk")
        .values_list("pk", flat=True)[:40]
    )
    read = [pk for n, pk in enumerate(latest) if n % 5 != 4]
    ids: dict[int, list[int]] = {pk: [] for pk in read}
    for thread_id, pk in Comment.objects.filter(thread_id__in=read).values_list(
        "thread_id", "pk"
    ):
        ids[thread_id].append(pk)
    ThreadRead.objects.filter(member=member).delete()
    ThreadRead.objects.bulk_create(
        ThreadRead(
            member=member,
            thread_id=pk,
            last_comment_id=sorted(ids[pk])[-3] if len(ids[pk]) >= 3 else 0,
        )
        for pk in read
    )


def sessions_store(member_ids: list[int]) -> dict[int, str]:
    """A signed-in session per member, stored directly, as the sign-in view
    stores it (tests/mixed_load.py)."""
    sys.path.insert(0, str(ROOT))
    from tests.mixed_load import sessions_store as store

    return store(member_ids)


# --- Server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_start(args, port: int, log: Path) -> subprocess.Popen:
    daphne = Path(PYTHON).with_name("daphne")
    out = log.open("w")
    proc = subprocess.Popen(
        [str(daphne), "-b", HOST, "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=server_env(args),
        stdout=out,
        stderr=subprocess.STDOUT,
        # Its own process group: Ctrl-C in this terminal reaches this script,
        # which then stops the server itself, in order.
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"daphne exited with {proc.returncode}; see {log}")
        try:
            status, _ = asyncio.run(fetch_once(port, "/bench/bare/"))
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    server_stop(proc)
    sys.exit(f"daphne did not answer within 30 s; see {log}")


def server_stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


# --- HTTP client -------------------------------------------------------------------


class BadResponse(Exception):
    pass


async def _request(
    reader, writer, port: int, path: str, cookie: str = ""
) -> tuple[int, bool]:
    """One keep-alive GET (with ``cookie``, the Cookie header, if any);
    returns (status, whether the server closes)."""
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Accept-Language: ko\r\nUser-Agent: moim-bench\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "")
            + "\r\n"
        ).encode()
    )
    await writer.drain()
    status, close, _headers = await response_read(reader)
    return status, close


async def response_read(reader) -> tuple[int, bool, dict[str, str]]:
    """Read one HTTP/1.1 response off ``reader``: (status, whether the server
    closes the connection, the headers by lower-cased name)."""
    status_line = await reader.readline()
    if not status_line:
        raise BadResponse("connection closed")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    close = headers.get("connection", "").lower() == "close"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()
        close = True
    return status, close, headers


async def fetch_once(port: int, path: str) -> tuple[int, bool]:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        return await asyncio.wait_for(_request(reader, writer, port, path), 10)
    finally:
        writer.close()


@dataclass
class Result:
    name: str
    path: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return math.nan
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100)[int(p) - 1] * 1000


async def measure(
    name: str,
    port: int,
    path: str,
    *,
    concurrency: int,
    duration: float,
    max_requests: int,
    timeout: float = 30.0,
    cookie: str = "",
) -> Result:
    """``concurrency`` keep-alive connections issue GETs until ``duration``
    seconds or ``max_requests`` requests, whichever comes first. A non-200
    answer, a timeout or a broken connection counts as an error."""
    result = Result(name, path)
    issued = 0
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + duration

    async def worker():
        nonlocal issued
        conn = None
        while issued < max_requests and loop.time() < deadline:
            issued += 1
            if conn is None:
                try:
                    conn = await asyncio.wait_for(
                        asyncio.open_connection(HOST, port), timeout
                    )
                except (OSError, TimeoutError):
                    result.errors += 1
                    await asyncio.sleep(0.05)
                    continue
            t0 = time.perf_counter()
            try:
                status, close = await asyncio.wait_for(
                    _request(*conn, port, path, cookie), timeout
                )
            except (OSError, TimeoutError, BadResponse, ValueError, IndexError):
                result.errors += 1
                conn[1].close()
                conn = None
                continue
            if status == 200:
                result.latencies.append(time.perf_counter() - t0)
            else:
                result.errors += 1
            if close:
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed = loop.time() - started
    return result


# --- Profiling -----------------------------------------------------------------


def profiler_start(args, proc, name: str, round_: int) -> subprocess.Popen | None:
    """py-spy samples the server while one page is measured (first round
    only), as collapsed stacks: ``DIR/<page>.txt``."""
    if not args.profile or round_ > 0:
        return None
    py_spy = shutil.which("py-spy") or str(Path(PYTHON).with_name("py-spy"))
    out = Path(args.profile) / f"{name}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(proc.pid),
            "--duration",
            str(max(1, int(args.duration / args.rounds))),
            "--format",
            "raw",
            "--rate",
            "200",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# --- Main ----------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="local-memory cache instead of Redis in the server",
    )
    parser.add_argument("--communities", type=int, default=50)
    parser.add_argument("--threads", type=int, default=20_000)
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument(
        "--small", action="store_true", help="5,000 threads and 50,000 comments"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per page")
    parser.add_argument(
        "--requests", type=int, default=20_000, help="at most this many per page"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per page")
    parser.add_argument(
        "--rounds", type=int, default=3, help="the duration is split in rounds"
    )
    parser.add_argument("--word", default="리텐션", help="the search word")
    parser.add_argument("--only", help="measure only pages whose name has this")
    parser.add_argument("--pool", type=int, default=10, help="DATABASE_POOL_MAX")
    parser.add_argument(
        "--page-seconds",
        type=int,
        help="MOIM_ANONYMOUS_PAGE_SECONDS of the server (0: render every request)",
    )
    parser.add_argument(
        "--debug", action="store_true", help="run the server with DEBUG on"
    )
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--reuse-db", action="store_true", help="measure the existing database"
    )
    parser.add_argument("--force", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--profile", metavar="DIR", help="record py-spy raw stacks per page"
    )
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.small:
        args.threads, args.comments = 5_000, 50_000
    return args


def pages(targets: Targets) -> list[tuple[str, str]]:
    from django.urls import reverse

    c = targets.community
    return [
        ("community page", reverse("community_detail", args=[c])),
        ("thread list (board)", reverse("board_detail", args=[c, targets.board])),
        ("busy thread", reverse("thread_detail", args=[c, targets.thread_id])),
        ("search", reverse("search") + "?q=" + quote(targets.word)),
    ]


# Who reads: the two signed-in readers of readers_prepare, and signed-out
# readers on the server that keeps pages for them (the production default)
# and on the one that renders every request.
READERS = (
    "member",
    "moderator",
    UNREAD_READER,
    "signed-out, rendered",
    "signed-out, kept",
)
BARE = ("bare view", "", "/bench/bare/")
# What no page can beat for its reader (config/bench_views.floor): the door
# and a page read whole from the cache. A signed-in reader's floor is their
# session, their row and their membership read on top of a signed-out one's.
FLOOR = "floor (door + kept)"
FLOOR_READERS = ("member", "signed-out, kept")


@dataclass
class Cost:
    calls: int
    queries: int
    size: int


def costs(
    args, plan: list[tuple[str, str, str]], readers: dict[str, int]
) -> dict[tuple[str, str], Cost]:
    """In this process, on the same database and cache as the servers
    (django.test.Client): Python calls (cProfile), queries and bytes of
    one request of each page for each reader, after two requests that warm
    the caches (and, for signed-out readers on the keeping server, keep
    the page)."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from community.models import Member

    found: dict[tuple[str, str], Cost] = {}
    for page, reader, path in plan:
        client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="ko")
        if reader in readers:
            client.force_login(Member.objects.get(pk=readers[reader]))
        seconds = 0 if reader == "signed-out, rendered" else args.page_seconds
        overrides = {} if seconds is None else {"MOIM_ANONYMOUS_PAGE_SECONDS": seconds}
        with override_settings(**overrides):
            for _ in range(2):
                client.get(path)
            profile = cProfile.Profile()
            with CaptureQueriesContext(connection) as queries:
                profile.enable()
                response = client.get(path)
                profile.disable()
        if response.status_code != 200:
            sys.exit(f"{path} answered {response.status_code} to {reader}")
        found[page, reader] = Cost(
            pstats.Stats(profile).total_calls, len(queries), len(response.content)
        )
    return found


def report(
    results: list[Result],
    plan: list[tuple[str, str, str]],
    found: dict[tuple[str, str], Cost],
) -> str:
    bare = results[0]
    lines = [
        f"| {'page':<20} | {'reader':<20} | {'requests':>8} | {'errors':>6} "
        f"| {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} | {'ratio':>5} "
        f"| {'p99 × bare':>10} | {'calls':>7} | {'queries':>7} | {'KB':>6} |",
        f"|{'-' * 22}|{'-' * 22}|{'-' * 9}:|{'-' * 7}:|{'-' * 8}:|{'-' * 8}:"
        f"|{'-' * 8}:|{'-' * 6}:|{'-' * 11}:|{'-' * 8}:|{'-' * 8}:|{'-' * 7}:|",
    ]
    for r, (page, reader, _path) in zip(results, plan, strict=True):
        ratio = r.rps / (bare.rps or math.nan)
        p99 = r.percentile(99) / bare.percentile(99)
        cost = found.get((page, reader))
        lines.append(
            f"| {page:<20} | {reader:<20} | {len(r.latencies):>8} | {r.errors:>6} "
            f"| {r.rps:>7.1f} | {r.percentile(50):>7.1f} | {r.percentile(99):>7.1f} "
            f"| {ratio:>5.2f} | {p99:>10.2f} "
            + (
                f"| {cost.calls:>7,} | {cost.queries:>7} | {cost.size / 1024:>6.1f} |"
                if cost
                else f"| {'':>7} | {'':>7} | {'':>6} |"
            )
        )
    return "\n".join(lines)


def summary(results: list[Result], plan: list[tuple[str, str, str]]) -> str:
    """Ratios to the bare view, a page a row and a reader a column, and the
    verdict on the goals for signed-in readers."""
    bare = results[0]
    by = {
        (page, reader): r
        for r, (page, reader, _path) in zip(results, plan, strict=True)
    }
    names = list(dict.fromkeys(page for page, _r, _p in plan[1:]))
    readers = [x for x in READERS if any((n, x) in by for n in names)]
    lines = [
        "| page | " + " | ".join(readers) + " |",
        "|---|" + "---:|" * len(readers),
    ]
    verdicts = []
    for name in names:
        cells = []
        for reader in readers:
            r = by.get((name, reader))
            if r is None:
                cells.append("")
                continue
            ratio = r.rps / (bare.rps or math.nan)
            p99 = r.percentile(99) / bare.percentile(99)
            cells.append(f"{ratio:.2f}")
            if name != FLOOR and reader in ("member", "moderator", UNREAD_READER):
                goal = GOAL_MEMBER_BUSY if name == "busy thread" else GOAL_MEMBER
                ok = ratio >= goal and p99 <= GOAL_MEMBER_P99
                verdicts.append(
                    f"{'✓' if ok else '✗'} {name}, {reader}: {ratio:.2f} "
                    f"(goal ≥ {goal:.2f}), p99 {p99:.2f} × the bare view's "
                    f"(goal ≤ {GOAL_MEMBER_P99:g})"
                )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", *verdicts])


def main(argv=None) -> int:
    args = parse_args(argv)
    rnd = random.Random(args.seed)
    proc = rendering = None
    created = False

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    # Also when started in the background, where SIGINT arrives ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if not args.reuse_db:
            print(f"Creating {urlsplit(args.database_url).path.lstrip('/')} …")
            database_recreate(args.database_url, args.force)
            created = True
            migrate(args)
        django_setup(args)
        if args.reuse_db:
            targets = targets_find(args.word)
        else:
            print(
                f"Loading {args.communities} communities, {args.threads:,} threads, "
                f"{args.comments:,} comments …"
            )
            targets = load(args, rnd)
            targets.word = args.word
        readers = readers_prepare(targets)
        sessions = sessions_store(list(readers.values()))
        print(
            f"Busiest community: {targets.community} "
            f"({targets.threads_in_community:,} threads); busy thread "
            f"{targets.thread_id} ({targets.comments_on_thread:,} comments); "
            f"signed-in readers {readers}"
        )
        # Every page for every reader, after the bare view every ratio is to.
        plan = [BARE] + [
            (page, reader, path)
            for page, path in pages(targets)
            if not args.only or args.only in page
            for reader in READERS
            if reader != UNREAD_READER or page == UNREAD_PAGE
        ]
        plan += [
            (FLOOR, reader, f"/bench/floor/{targets.community}/")
            for reader in FLOOR_READERS
        ]
        found = costs(args, plan[1:], readers)
        from django.db import connections

        connections.close_all()
        port, port_rendered = free_port(), free_port()
        log = Path("/tmp") / f"moim-bench-daphne-{port}.log"
        proc = server_start(args, port, log)
        # The second server renders every request for signed-out readers;
        # it is measured in the same rounds, so the same load weighs on it.
        rendering = server_start(
            argparse.Namespace(**{**vars(args), "page_seconds": 0}),
            port_rendered,
            Path("/tmp") / f"moim-bench-daphne-{port_rendered}.log",
        )
        print(
            f"daphne on {HOST}:{port} (DEBUG {'on' if args.debug else 'off'}, "
            f"{'Redis' if not args.no_redis else 'local-memory'} cache, pages "
            f"kept {server_env(args).get('MOIM_ANONYMOUS_PAGE_SECONDS', 'the default')}"
            f" s for signed-out readers) and on {port_rendered} (pages rendered "
            f"every request); concurrency {args.concurrency}, {args.duration:g} s or "
            f"{args.requests:,} requests per page and reader"
        )

        def where(reader: str) -> tuple[int, str]:
            if reader in readers:
                return port, f"sessionid={sessions[readers[reader]]}"
            return (port_rendered if reader == "signed-out, rendered" else port), ""

        load_start = os.getloadavg()
        results = [Result(f"{page} · {reader}", path) for page, reader, path in plan]
        for _page, reader, path in plan:
            at, cookie = where(reader)
            asyncio.run(
                measure(
                    reader,
                    at,
                    path,
                    concurrency=args.concurrency,
                    duration=args.warmup,
                    max_requests=args.requests,
                    cookie=cookie,
                )
            )
        # Pages and readers take turns in short rounds, so a change in the
        # machine's load during the run weighs on every one alike, the bare
        # view included.
        for round_ in range(args.rounds):
            for total, (page, reader, path) in zip(results, plan, strict=True):
                at, cookie = where(reader)
                profiler = profiler_start(
                    args,
                    proc,
                    f"{page.split()[0]}-{(reader or 'x').split()[0]}",
                    round_,
                )
                part = asyncio.run(
                    measure(
                        total.name,
                        at,
                        path,
                        concurrency=args.concurrency,
                        duration=args.duration / args.rounds,
                        max_requests=max(1, args.requests // args.rounds),
                        cookie=cookie,
                    )
                )
                if profiler is not None:
                    profiler.wait(timeout=args.duration + 30)
                total.latencies += part.latencies
                total.errors += part.errors
                total.elapsed += part.elapsed
            print(f"  round {round_ + 1}/{args.rounds} done")
        load_end = os.getloadavg()
        print()
        print(report(results, plan, found))
        print()
        print(summary(results, plan))
        print(
            f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · load average "
            f"{load_start[0]:.1f} → {load_end[0]:.1f} on {os.cpu_count()} CPUs · "
            f"signed-out readers' goal: every page ≥ {GOAL:.2f} of the bare view"
        )
        errors = sum(r.errors for r in results)
        return 1 if errors else 0
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        return 130
    finally:
        server_stop(rendering)
        teardown(args, proc, created)


def teardown(args, proc: subprocess.Popen | None, created: bool) -> None:
    """Stop the server, remove the bench keys from Redis and drop the bench
    database unless asked to keep it: on success, failure, Ctrl-C and
    SIGTERM alike. Each step runs even when an earlier one fails (a run can
    fail before Django is set up, when closing its connections raises), and
    the first failure is raised once everything has been tried."""
    failures: list[BaseException] = []

    def attempt(step, *step_args) -> None:
        try:
            step(*step_args)
        except Exception as exc:
            print(f"teardown: {step.__name__} failed: {exc!r}", file=sys.stderr)
            failures.append(exc)

    attempt(server_stop, proc)
    if not getattr(args, "no_redis", False):
        attempt(redis_clean, args.redis_url)
    if created and not getattr(args, "keep_db", False):
        attempt(connections_close)
        attempt(database_drop, args.database_url)
    if failures:
        raise failures[0]


def connections_close() -> None:
    """Close this process's connections to the bench database, if Django
    was set up at all (the drop forces the others out anyway)."""
    from django.conf import settings

    if not settings.configured:
        return
    from django.db import connections

    connections.close_all()


def redis_clean(url: str) -> None:
    """Remove what the server cached (its keys carry the "moim" prefix) from
    the benchmark's Redis database."""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        keys = list(client.scan_iter("moim*", count=1000))
        if keys:
            client.delete(*keys)
    except Exception as exc:  # cleanup must not mask a result
        print(f"Redis cleanup skipped: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

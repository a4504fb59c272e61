"""Mixed load with faults: members browse, post, apply, confirm, answer a
survey and chat across two daphne processes while Redis stops, a server
restarts and the task worker restarts; then the ledger of acknowledged
writes is compared with the database and every job that fell due during the
faults is checked to have run exactly once.

    .venv/bin/python bench/mixed.py                  # 60 users, Redis down 30 s
    .venv/bin/python bench/mixed.py --users 40 --redis-down 10 --small-forum

The script creates its own PostgreSQL database (dropped and re-created: its
name must contain "bench"), migrates it and loads a forum with COPY
(bench/forum.py's data set: communities, threads, comments, reactions). The
users are members of its busiest community, signed in through sessions
written to the database. It starts a redis-server of its own (``--redis-
port``, stopped and started during the run: never the machine's shared
one), two daphne processes (``--ports``, DEBUG off, MOIM_BENCH=1, the Redis
channel layer and cache) and ``manage.py db_worker``. The machinery is
tests/mixed_load.py, which tests/test_mixed_load_faults.py runs small; the
server start-up, data set and bare-view measurement are bench/forum.py's.

Timeline: a warm-up; the thread list and the bare view measured in turns
(bench/forum.py's ``measure``, keep-alive connections, under the mixed
load, alternating the two processes), reported as a ratio; Redis stopped for
``--redis-down`` seconds (the draw of one gathering falls due in the middle,
and a failed sign-in is tried: the login rate limit must refuse it with the
503 page); one daphne process restarted (the hour-before reminder of another
gathering falls due then); the worker stopped for ``--worker-down`` seconds
(a survey's close falls due meanwhile) and started; the load goes on until
every due job has run, then stops, and the chat clients are given time to
resync (the server's sync frame comes every 30 s).

Reported: p50/p99 and req/s per action, answers per fault window (503s of
what needs Redis, other 5xx, requests the restarting process did not
answer), the ratio, the ledger against the database (lost, duplicated),
the chat clients' resync, and the due jobs. Nothing but 127.0.0.1 is
contacted; the processes are stopped and the database dropped on exit,
Ctrl-C and SIGTERM included (``--keep-db`` keeps it).
"""

import argparse
import asyncio
import os
import platform
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

# The database, data set, server and session plumbing are the other
# benchmarks'. Importing gatherings makes the servers share this process's
# SECRET_KEY: the sessions written here are valid there, and the survey
# answers the servers seal can be opened by the worker.
import forum
import gatherings
from forum import PYTHON, ROOT, copy_rows, database_recreate, django_setup, migrate

sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/load_bench"


def worker_start(args, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=ROOT,
        env=forum.server_env(args),
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def worker_stop(proc: subprocess.Popen | None) -> None:
    """SIGTERM, as a deployment stops it: the job in hand is finished."""
    forum.server_stop(proc)


def members_of_busiest_community(args, targets) -> tuple:
    """``--users`` members of the busiest community, and its moderator as
    the gatherings' organiser."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import F

    from community.models import Community, Member, Membership, MembershipRole

    community = Community.objects.get(slug=targets.community)
    ids = gatherings.members_copy(
        args.users, "mixed", make_password("bench-password-not-used")
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
            for pk in ids
        ),
    )
    Community.objects.filter(pk=community.pk).update(
        member_count=F("member_count") + len(ids)
    )
    organiser = Member.objects.get(
        pk=Membership.objects.filter(
            community=community,
            role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER],
        )
        .values_list("member_id", flat=True)
        .first()
    )
    members = list(Member.objects.filter(pk__in=ids).order_by("pk"))
    return community, organiser, members


def ratio_measure(args, load, board: str, ports: list[int]) -> tuple:
    """The thread list against the bare view, in turns, under the load."""
    bare = forum.Result("bare view", "/bench/bare/")
    page = forum.Result("thread list", board)
    for round_ in range(args.rounds):
        for total, path in ((bare, "/bench/bare/"), (page, board)):
            port = ports[round_ % len(ports)]
            part = asyncio.run(
                forum.measure(
                    total.name,
                    port,
                    path,
                    concurrency=args.concurrency,
                    duration=args.measure / args.rounds / 2,
                    max_requests=100_000,
                )
            )
            total.latencies += part.latencies
            total.errors += part.errors
            total.elapsed += part.elapsed
    return bare, page


def machine() -> str:
    import psycopg

    with open("/proc/meminfo") as meminfo:
        kib = int(meminfo.readline().split()[1])
    redis = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    version = next((w for w in redis if w.startswith("v=")), "v=?")[2:]
    return (
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"{kib / 1024 / 1024:.1f} GiB RAM, PostgreSQL {pg}, Redis {version}, "
        f"Python {platform.python_version()}, psycopg {psycopg.__version__}; "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )


def sleep_until(moment: datetime) -> None:
    from django.utils import timezone

    delay = (moment - timezone.now()).total_seconds()
    if delay > 0:
        time.sleep(delay)
    elif delay < -1:
        print(f"  (the timeline is {-delay:.0f} s late: the machine is busy)")


def run(args) -> int:
    from django.db import connections
    from django.urls import reverse
    from django.utils import timezone

    from realtime.models import Message
    from tests import mixed_load
    from tests.realtime.client import ChatClient
    from tests.servers import redis_start, redis_stop

    logs = Path("/tmp")
    state = {"servers": [], "worker": None, "redis": None, "load": None}
    try:
        print(f"Redis of its own on {args.redis_port}; daphne on {args.ports}")
        state["redis"] = redis_start(args.redis_port)
        rnd = random.Random(args.seed)
        print(
            f"Loading {args.communities} communities, {args.threads:,} threads, "
            f"{args.comments:,} comments …"
        )
        targets = forum.load(args, rnd)
        community, organiser, members = members_of_busiest_community(args, targets)
        from community.models import Thread

        recent = (
            Thread.objects.filter(community=community, board__slug="job-talk")
            .exclude(pk=targets.thread_id)
            .order_by("-last_activity_at")
            .values_list("pk", flat=True)[: args.pages - 1]
        )
        thread_ids = [targets.thread_id, *recent]
        connections.close_all()
        for port in args.ports:
            log = logs / f"moim-bench-mixed-daphne-{port}.log"
            state["servers"].append(forum.server_start(args, port, log))
        worker_log = logs / "moim-bench-mixed-worker.log"
        worker_log.write_text("")
        state["worker"] = worker_start(args, worker_log)

        # The jobs fall due at fixed points of the timeline below.
        start = timezone.now()
        redis_stops = start + timedelta(
            seconds=args.lead + args.warmup + args.measure * 1.2 + args.users * 0.2
        )
        draw_at = redis_stops + timedelta(seconds=args.redis_down / 2)
        reminder_at = redis_stops + timedelta(seconds=args.redis_down + args.settle)
        worker_stops = reminder_at + timedelta(seconds=args.settle)
        survey_close_at = worker_stops + timedelta(seconds=args.worker_down / 2)
        scene = mixed_load.scene_build(
            community=community,
            organiser=organiser,
            members=members,
            threads=thread_ids,
            draw_at=draw_at,
            reminder_at=reminder_at,
            survey_close_at=survey_close_at,
        )
        print(
            f"{len(members)} users ({sum(u.chats for u in scene.users)} chatting) "
            f"in {community.slug} ({targets.threads_in_community:,} threads), "
            f"scene ready in {(timezone.now() - start).total_seconds():.1f} s"
        )
        connections.close_all()
        load = state["load"] = mixed_load.Load(
            scene=scene, ports=args.ports, think=args.think
        )
        load.start(chat_client_factory=ChatClient)
        time.sleep(args.warmup)
        left = (redis_stops - timezone.now()).total_seconds()
        print(f"load running; Redis stops in {left:.0f} s")
        with load.during("ratio"):
            board = reverse("board_detail", args=[scene.community, scene.board])
            bare, page = ratio_measure(args, load, board, args.ports)
        print(
            f"thread list {page.rps:.1f} req/s, bare view {bare.rps:.1f} req/s "
            f"under the mixed load"
        )

        sleep_until(redis_stops)
        print(f"Redis down for {args.redis_down:g} s …")
        with load.during("Redis down"):
            redis_stop(state["redis"])
            state["redis"] = None
            time.sleep(2)
            probe = load.call(mixed_load.login_probe(load, 0))
            sleep_until(redis_stops + timedelta(seconds=args.redis_down))
            state["redis"] = redis_start(args.redis_port)

        sleep_until(reminder_at - timedelta(seconds=1))
        print(f"restarting daphne on {args.ports[1]} …")
        with load.during("daphne restart"):
            forum.server_stop(state["servers"][1])
            log = logs / f"moim-bench-mixed-daphne-{args.ports[1]}.log"
            state["servers"][1] = forum.server_start(args, args.ports[1], log)

        sleep_until(worker_stops)
        print(f"worker down for {args.worker_down:g} s …")
        with load.during("worker restart"):
            worker_stop(state["worker"])
            sleep_until(worker_stops + timedelta(seconds=args.worker_down))
            state["worker"] = worker_start(args, worker_log)

        with load.during("after the faults"):
            deadline = time.monotonic() + 120
            from events.models import Gathering, GatheringStatus

            while time.monotonic() < deadline:
                survey = Gathering.objects.get(pk=scene.gatherings["survey"])
                if (
                    mixed_load.jobs_pending(scene) == 0
                    and survey.status == GatheringStatus.SURVEY_CLOSED
                ):
                    break
                time.sleep(0.5)
            connections.close_all()
            time.sleep(args.after)
        seconds = load.stop()
        seqs = set(
            Message.objects.filter(room__community=community).values_list(
                "seq", flat=True
            )
        )
        print("load stopped; waiting for every chat client to resync …")
        chat = load.call(load.chat_settle(seqs, timeout=args.resync), timeout=120)
        findings = mixed_load.verify(load)
        report(args, load, seconds, bare, page, probe, chat, findings)
        return 0 if not mixed_load.failures(findings) and not load.crashes else 1
    finally:
        if state["load"] is not None:
            state["load"].close()
        for proc in state["servers"]:
            forum.server_stop(proc)
        worker_stop(state["worker"])
        if state["redis"] is not None:
            redis_stop(state["redis"])


def report(args, load, seconds, bare, page, probe, chat, findings) -> None:
    from tests import mixed_load

    figures = findings.pop("_figures")
    stats = load.stats
    print(
        f"\n{len(stats.outcomes):,} requests in {seconds:.0f} s "
        f"({len(stats.outcomes) / seconds:.1f} req/s), {args.users} users\n"
    )
    print(mixed_load.actions_table(stats, seconds))
    print()
    print(mixed_load.windows_table(stats))
    ratio = page.rps / bare.rps if bare.rps else float("nan")
    print(
        f"\n| page | requests | errors | req/s | p50 ms | p99 ms | ratio |\n"
        f"|---|---:|---:|---:|---:|---:|---:|\n"
        f"| bare view | {len(bare.latencies)} | {bare.errors} | {bare.rps:.1f} "
        f"| {bare.percentile(50):.1f} | {bare.percentile(99):.1f} | 1.00 |\n"
        f"| thread list | {len(page.latencies)} | {page.errors} | {page.rps:.1f} "
        f"| {page.percentile(50):.1f} | {page.percentile(99):.1f} | {ratio:.2f} |"
    )
    body = probe.body.decode(errors="replace") if probe is not None else ""
    print(
        f"\nfailed sign-in while Redis was down: "
        f"{probe.status if probe else 'no answer'}"
        f"{' with the translated 503 page' if '잠시 이용할 수 없어요' in body else ''}"
    )
    print(f"acknowledged writes: {figures['acknowledged']}")
    print(
        f"chat: {chat['clients']} clients, {chat['stored']} messages stored, "
        f"clients missing messages: {chat['missing'] or 'none'}, "
        f"live duplicates: {chat['live_duplicates']} (besides the answers to "
        f"{chat['resent']} resends), connections per client: "
        f"{dict(chat['connections'])}"
    )
    print(
        f"jobs: {figures['jobs']}, by kind {figures['tasks by kind']}; "
        f"draws {figures['draws']}, survey responses {figures['survey responses']}"
    )
    print("\ninvariants (each must be 0):")
    for name, value in findings.items():
        if not name.startswith("_"):
            print(f"  {'✓' if not value else '✗'} {name}: {value}")
    if load.crashes:
        print(f"load errors: {load.crashes[:5]}")
    print(f"\nmachine: {machine()}")
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--ports", type=int, nargs=2, default=[8111, 8112])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument(
        "--think", type=float, default=2.0, help="mean seconds between a user's steps"
    )
    parser.add_argument("--communities", type=int, default=20)
    parser.add_argument("--threads", type=int, default=5_000)
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument(
        "--small-forum", action="store_true", help="1,000 threads, 10,000 comments"
    )
    parser.add_argument(
        "--pages", type=int, default=50, help="threads the users read and answer"
    )
    parser.add_argument(
        "--lead",
        type=float,
        default=30.0,
        help="seconds the timeline allows for the scene and the load's start",
    )
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument(
        "--measure", type=float, default=24.0, help="seconds for the ratio"
    )
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--redis-down", type=float, default=30.0)
    parser.add_argument("--worker-down", type=float, default=15.0)
    parser.add_argument(
        "--settle", type=float, default=15.0, help="seconds between the faults"
    )
    parser.add_argument(
        "--after", type=float, default=10.0, help="seconds of load after the jobs ran"
    )
    parser.add_argument(
        "--resync", type=float, default=60.0, help="seconds allowed for chat resync"
    )
    parser.add_argument("--pool", type=int, default=10, help="DATABASE_POOL_MAX")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--force", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.small_forum:
        args.threads, args.comments = 1_000, 10_000
    if args.users < 8:
        parser.error("--users must be at least 8")
    args.redis_url = f"redis://127.0.0.1:{args.redis_port}/0"
    args.debug = False
    args.no_redis = False
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
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
        return run(args)
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        return 130
    finally:
        # Redis is this script's own and already stopped: nothing to clean.
        args.no_redis = True
        forum.teardown(args, None, created)


if __name__ == "__main__":
    sys.exit(main())

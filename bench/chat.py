"""Live chat: one lounge with N members over two daphne processes, against a
bare Channels broadcast consumer on the same processes and Redis, in one run.

    .venv/bin/python bench/chat.py --small            # 50 clients, 15 s
    .venv/bin/python bench/chat.py                    # 200 clients, pubsub layer
    .venv/bin/python bench/chat.py --layer both       # core, then pubsub

The script creates its own PostgreSQL database (dropped and re-created: its
name must contain "bench"), migrates it, stores N verified members of one
community with a signed-in session each (written straight into the database),
and starts ``--processes`` daphne servers on 127.0.0.1 (DEBUG off,
MOIM_BENCH=1, the Redis channel layer that ``--layer`` names through
MOIM_CHANNEL_LAYER). It then opens N websockets to the community's lounge
(``/ws/rooms/lounge-<slug>/``, session cookie and Origin header, as a browser)
and N to the bare consumer (``/ws/bench/bare/``, which sends every frame it
receives to everyone on it through the same channel layer), round-robin over
the processes, and keeps both sets open.

Load: ``--senders`` of the N clients send ``--rate`` messages a second in all
(each sender stays under the chat's limit of 5 messages in 5 s), for
``--duration`` seconds per consumer after a warm-up, in ``--rounds`` in which
the two consumers take turns, so that a change in the machine's load weighs
on both alike. Every client, the senders included, should receive every
message: expected deliveries = messages sent × N. Reported for each consumer:
delivered / expected (each client counts a message once, by its client id;
what has not arrived ``--drain`` seconds after the last send is lost),
duplicates, p50/p99 delivery latency (send → receive, one monotonic clock:
clients and senders are this process), deliveries/s (from a round's first
send to its last delivery), server CPU per message (and the Redis server's,
which other clients of that Redis share), the time to open all N sockets, and
memory per connection (the daphne processes' VmRSS after the N sockets are
open, less before, divided by N; the bare sockets are opened first, then the
room's), and sockets the server closed during the run. The goal (issue #5):
0 lost, deliveries/s ≥ 0.80 of the bare consumer's, p99 ≤ 1.5 × the bare
consumer's. ``--layer both`` measures the core layer, then the pub/sub layer
on fresh servers, each from an empty room.

Nothing but 127.0.0.1 is contacted; the sockets are closed, the servers
stopped, the database dropped and the server's keys removed from Redis on
exit, Ctrl-C and SIGTERM included (``--keep-db`` keeps the database).
``--profile DIR`` records py-spy stacks of each server during the first
measured round of each consumer.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

# The database, server and session plumbing are the other benchmarks'.
# Importing gatherings makes the servers share this process's SECRET_KEY, so
# that the sessions written here are valid there.
import forum
import gatherings
from forum import HOST, copy_rows, database_recreate, django_setup, free_port, migrate

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/moim_chat_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
COMMUNITY = "bench-chat"
BARE_PATH = "/ws/bench/bare/"
# realtime.services allows 5 messages in 5 s per member and room; a sender
# stays well under it, so that no message is refused for its rate.
SENDER_RATE_MAX = 0.8
LAYERS = ("core", "pubsub")
GOAL_DELIVERIES = 0.80
GOAL_P99 = 1.5
# How each consumer's broadcast frame starts (json.dumps' separators): other
# frames (presence, history…) are skipped without being parsed.
MESSAGE_PREFIX = {"room": '{"type": "message"', "bare": '{"type": "send"'}
ERROR_PREFIX = '{"type": "error"'

_server_env = forum.server_env  # gatherings': this process's SECRET_KEY


def server_env(args) -> dict[str, str]:
    return {**_server_env(args), "MOIM_CHANNEL_LAYER": args.layer_now}


forum.server_env = server_env


# --- Data ------------------------------------------------------------------------


def data_load(args) -> tuple[str, list[gatherings.Client]]:
    """N verified members of one community, each with a session; returns the
    lounge's key and the clients."""
    from django.contrib.auth.hashers import make_password

    from community.models import Community, Membership, MembershipRole
    from community.roles import JobRole

    password = make_password("bench-password-not-used")
    ids = gatherings.members_copy(args.clients, "chat", password)
    community = Community.objects.create(
        slug=COMMUNITY,
        name="벤치마크 라운지",
        role=JobRole.PERFORMANCE_MARKETING,
        description="",
        member_count=len(ids),
    )
    now = datetime.now(UTC)
    copy_rows(
        Membership,
        (
            {
                "community_id": community.pk,
                "member_id": pk,
                "role": MembershipRole.MEMBER,
                "joined_at": now,
            }
            for pk in ids
        ),
    )
    return f"lounge-{COMMUNITY}", gatherings.sessions_create(ids)


def room_reset() -> None:
    """Each layer starts with an empty room and nobody present: the presence
    rows one layer's sockets leave behind (they live 90 s) would spare the
    next layer's arrivals their broadcasts, and its history would be longer."""
    from realtime.models import Message, Presence

    Presence.objects.all().delete()
    Message.objects.all().delete()


# --- Servers -------------------------------------------------------------------


def servers_start(args) -> list[tuple[int, subprocess.Popen]]:
    servers = []
    try:
        for _ in range(args.processes):
            port = free_port()
            log = Path("/tmp") / f"moim-bench-chat-daphne-{port}.log"
            servers.append((port, forum.server_start(args, port, log)))
    except BaseException:
        servers_stop(servers)
        raise
    return servers


def servers_stop(servers) -> None:
    for _port, proc in servers:
        forum.server_stop(proc)


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_cpu(url: str) -> float:
    import redis

    info = redis.Redis.from_url(url).info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def profilers_start(args, servers, name: str, seconds: float) -> list:
    if not args.profile:
        return []
    py_spy = shutil.which("py-spy") or str(Path(forum.PYTHON).with_name("py-spy"))
    Path(args.profile).mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                py_spy,
                "record",
                "--pid",
                str(proc.pid),
                "--duration",
                str(max(1, int(seconds))),
                "--format",
                "raw",
                "--rate",
                "200",
                "--nonblocking",
                "--output",
                str(Path(args.profile) / f"{args.layer_now}-{name}-{port}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port, proc in servers
    ]


# --- Clients ---------------------------------------------------------------------


class Round:
    """What the clients of one consumer see while one batch of messages is
    sent and drained."""

    def __init__(self, receivers: int):
        self.sent: dict[str, float] = {}
        self.seen: list[set[str]] = [set() for _ in range(receivers)]
        self.receivers = receivers
        self.latencies: list[float] = []
        self.delivered = 0
        self.duplicates = 0
        self.refused: dict[str, str] = {}
        self.unsent = 0
        self.first_send = 0.0
        self.last_delivery = 0.0
        self.sending = True
        self.done = asyncio.Event()

    def check_done(self) -> None:
        if not self.sending and self.delivered >= self.expected_now():
            self.done.set()

    def expected_now(self) -> int:
        return (len(self.sent) - len(self.refused)) * self.receivers


@dataclass
class Crowd:
    """N open sockets of one consumer and the round they are counting."""

    kind: str
    sockets: list = field(default_factory=list)
    readers: list = field(default_factory=list)
    round: Round | None = None
    last_frame: float = 0.0
    frames: int = 0

    async def read(self, ws, index: int) -> None:
        from websockets.exceptions import ConnectionClosed

        prefix = MESSAGE_PREFIX[self.kind]
        try:
            async for text in ws:
                now = time.perf_counter()
                self.last_frame = now
                self.frames += 1
                r = self.round
                if r is None:
                    continue
                if text.startswith(prefix):
                    cid = json.loads(text).get("id")
                    sent = r.sent.get(cid)
                    if sent is None:
                        continue
                    seen = r.seen[index]
                    if cid in seen:
                        r.duplicates += 1
                        continue
                    seen.add(cid)
                    r.delivered += 1
                    r.latencies.append(now - sent)
                    r.last_delivery = now
                    r.check_done()
                elif text.startswith(ERROR_PREFIX):
                    frame = json.loads(text)
                    if frame.get("ref") in r.sent:
                        r.refused[frame["ref"]] = frame.get("code", "?")
                        r.check_done()
        except ConnectionClosed:
            pass

    async def settle(self, quiet: float = 1.0, limit: float = 60.0) -> None:
        """Wait until no frame has arrived for ``quiet`` seconds (presence
        frames follow each arrival in the room)."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            if time.perf_counter() - self.last_frame >= quiet:
                return
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        async def one(ws):
            try:
                await asyncio.wait_for(ws.close(), 5)
            except Exception:  # closing as best it can
                ws.transport.abort()

        await asyncio.gather(*(one(ws) for ws in self.sockets if ws is not None))
        for task in self.readers:
            task.cancel()
        self.sockets, self.readers = [], []


def socket_url(kind: str, port: int, key: str) -> str:
    path = f"/ws/rooms/{key}/" if kind == "room" else BARE_PATH
    return f"ws://{HOST}:{port}{path}"


async def socket_open(kind: str, port: int, key: str, session: str | None):
    from websockets.asyncio.client import connect

    headers = {"Cookie": f"sessionid={session}"} if session else {}
    ws = await connect(
        socket_url(kind, port, key),
        origin=f"http://{HOST}:{port}",
        additional_headers=headers,
        user_agent_header="moim-bench",
        compression=None,
        ping_interval=None,
        open_timeout=120,
        close_timeout=5,
        max_size=2**22,
    )
    if kind == "room":
        # The room accepts, then decides access: it is open once "hello"
        # arrives.
        frame = json.loads(await asyncio.wait_for(ws.recv(), 120))
        if frame.get("type") != "hello":
            await ws.close()
            raise RuntimeError(f"the room refused the socket: {frame}")
    return ws


async def crowd_open(
    kind: str, ports: list[int], key: str, clients, n: int, concurrency: int
) -> tuple[Crowd, float]:
    """N sockets, client i on process i mod P; returns the crowd and the
    seconds it took to open them all."""
    crowd = Crowd(kind, [None] * n, [None] * n)
    gate = asyncio.Semaphore(concurrency)
    started = time.perf_counter()

    async def one(i: int) -> None:
        session = clients[i].session_key if kind == "room" else None
        async with gate:
            ws = await socket_open(kind, ports[i % len(ports)], key, session)
        crowd.sockets[i] = ws
        crowd.readers[i] = asyncio.create_task(crowd.read(ws, i))

    try:
        await asyncio.gather(*(one(i) for i in range(n)))
    except BaseException:
        await crowd.close()
        raise
    return crowd, time.perf_counter() - started


def frame_send(kind: str, cid: str, sent: float) -> str:
    body = f"벤치마크 메시지 {cid} · {sent:.6f}"
    return json.dumps({"type": "send", "id": cid, "body": body}, ensure_ascii=False)


async def load(
    crowd: Crowd, senders: list[int], rate: float, seconds: float, drain: float, tag
) -> Round:
    """``rate`` messages a second from ``senders`` in turn for ``seconds``,
    then wait until every client has every message or ``drain`` seconds. A
    sender whose socket the server closed still counts its messages as sent:
    they are lost."""
    from websockets.exceptions import ConnectionClosed

    r = Round(len(crowd.sockets))
    crowd.round = r
    count = max(1, round(seconds * rate))
    start = time.perf_counter()
    r.first_send = start
    for k in range(count):
        delay = start + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        cid = f"{tag}-{k}"
        sent = time.perf_counter()
        r.sent[cid] = sent
        try:
            await crowd.sockets[senders[k % len(senders)]].send(
                frame_send(crowd.kind, cid, sent)
            )
        except ConnectionClosed:
            r.unsent += 1
    r.sending = False
    r.check_done()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(r.done.wait(), drain)
    crowd.round = None
    return r


# --- Figures -----------------------------------------------------------------------


@dataclass
class Tally:
    """One consumer's figures over the measured rounds."""

    name: str
    sent: int = 0
    refused: int = 0
    expected: int = 0
    delivered: int = 0
    duplicates: int = 0
    latencies: list[float] = field(default_factory=list)
    busy: float = 0.0
    server_cpu: float = 0.0
    redis_cpu: float = 0.0
    memory_kib: float = math.nan
    connect_s: float = math.nan
    refusals: dict[str, int] = field(default_factory=dict)
    unsent: int = 0
    closed: int = 0

    def add(self, r: Round) -> None:
        self.sent += len(r.sent)
        self.unsent += r.unsent
        self.refused += len(r.refused)
        for code in r.refused.values():
            self.refusals[code] = self.refusals.get(code, 0) + 1
        self.expected += len(r.sent) * r.receivers
        self.delivered += r.delivered
        self.duplicates += r.duplicates
        self.latencies += r.latencies
        if r.delivered:
            self.busy += r.last_delivery - r.first_send

    @property
    def lost(self) -> int:
        return self.expected - self.delivered

    @property
    def per_second(self) -> float:
        return self.delivered / self.busy if self.busy else 0.0

    def percentile(self, p: float) -> float:
        """Milliseconds (nearest rank)."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(0, math.ceil(p / 100 * len(ordered)) - 1)
        return ordered[rank] * 1000

    def per_message_ms(self, seconds: float) -> float:
        return seconds / self.sent * 1000 if self.sent else math.nan


def report(bare: Tally, room: Tally) -> str:
    lines = [
        "| consumer | delivered / expected | lost | dup | p50 ms | p99 ms "
        "| deliveries/s | server CPU ms/msg | Redis CPU ms/msg | open N s "
        "| memory KiB/conn |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in (bare, room):
        lines.append(
            f"| {t.name} | {t.delivered:,} / {t.expected:,} | {t.lost:,} "
            f"| {t.duplicates:,} | {t.percentile(50):.1f} | {t.percentile(99):.1f} "
            f"| {t.per_second:,.0f} | {t.per_message_ms(t.server_cpu):.1f} "
            f"| {t.per_message_ms(t.redis_cpu):.2f} | {t.connect_s:.1f} "
            f"| {t.memory_kib:.0f} |"
        )
    return "\n".join(lines)


def verdict(bare: Tally, room: Tally) -> tuple[bool, str]:
    deliveries = room.per_second / bare.per_second if bare.per_second else math.nan
    p99 = room.percentile(99) / bare.percentile(99)
    checks = [
        (room.lost == 0, f"lost {room.lost:,} (goal 0)"),
        (
            deliveries >= GOAL_DELIVERIES,
            f"deliveries/s ratio {deliveries:.2f} (goal ≥ {GOAL_DELIVERIES:.2f})",
        ),
        (p99 <= GOAL_P99, f"p99 ratio {p99:.2f} (goal ≤ {GOAL_P99:.1f})"),
    ]
    passed = all(ok for ok, _ in checks)
    text = "; ".join(f"{'✓' if ok else '✗'} {what}" for ok, what in checks)
    return passed, f"{'PASS' if passed else 'FAIL'}: {text}"


# --- One layer -------------------------------------------------------------------


async def measure_layer(args, servers, key: str, clients) -> tuple[Tally, Tally]:
    ports = [port for port, _proc in servers]
    pids = [proc.pid for _port, proc in servers]
    n = args.clients
    senders = list(range(args.senders))
    tallies = {"bare": Tally("bare consumer"), "room": Tally("lounge (RoomConsumer)")}
    crowds: dict[str, Crowd] = {}
    try:
        # Prime each process (imports, database pool, channel-layer
        # connections) with one socket of each kind, one message each.
        for kind in ("bare", "room"):
            primer, _ = await crowd_open(kind, ports, key, clients, len(ports), 4)
            await load(primer, list(range(len(ports))), 2.0, 1.0, 5.0, f"prime-{kind}")
            await primer.close()
        await asyncio.sleep(1.0)
        before = [rss_kib(pid) for pid in pids]
        for kind in ("bare", "room"):
            crowd, seconds = await crowd_open(
                kind, ports, key, clients, n, args.connect_concurrency
            )
            crowds[kind] = crowd
            await crowd.settle()
            after = [rss_kib(pid) for pid in pids]
            tallies[kind].connect_s = seconds
            tallies[kind].memory_kib = (sum(after) - sum(before)) / n
            print(
                f"  {kind}: {n} sockets open in {seconds:.1f} s, {crowd.frames:,} "
                "frames received meanwhile; RSS "
                + ", ".join(
                    f"{b / 1024:.0f}→{a / 1024:.0f} MiB"
                    for b, a in zip(before, after, strict=True)
                )
            )
            before = after
        for kind in ("bare", "room"):
            await load(
                crowds[kind],
                senders,
                args.rate,
                args.warmup,
                args.drain,
                f"{args.layer_now}-warm-{kind}",
            )
        per_round = args.duration / args.rounds
        for round_ in range(args.rounds):
            order = ("bare", "room") if round_ % 2 == 0 else ("room", "bare")
            for kind in order:
                profilers = (
                    profilers_start(args, servers, kind, per_round)
                    if round_ == 0
                    else []
                )
                cpu0 = sum(cpu_seconds(pid) for pid in pids)
                redis0 = redis_cpu(args.redis_url)
                r = await load(
                    crowds[kind],
                    senders,
                    args.rate,
                    per_round,
                    args.drain,
                    f"{args.layer_now}-{round_}-{kind}",
                )
                tally = tallies[kind]
                tally.server_cpu += sum(cpu_seconds(pid) for pid in pids) - cpu0
                tally.redis_cpu += redis_cpu(args.redis_url) - redis0
                tally.add(r)
                for p in profilers:
                    p.wait(timeout=per_round + 30)
                part = Tally(kind)
                part.add(r)
                print(
                    f"  round {round_ + 1}/{args.rounds} {kind}: "
                    f"{r.delivered:,}/{len(r.sent) * r.receivers:,} delivered"
                    + (f", {len(r.refused)} refused" if r.refused else "")
                    + (f", {r.unsent} on closed sockets" if r.unsent else "")
                    + f", p50 {part.percentile(50):.0f} ms, p99 "
                    f"{part.percentile(99):.0f} ms"
                )
        # Sockets the server closed during the run (an exception in the
        # consumer closes with 1011).
        for kind, crowd in crowds.items():
            tallies[kind].closed = sum(
                ws.close_code is not None for ws in crowd.sockets
            )
    finally:
        for crowd in crowds.values():
            await crowd.close()
    return tallies["bare"], tallies["room"]


# --- Main ----------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument(
        "--senders", type=int, default=20, help="clients that also send"
    )
    parser.add_argument(
        "--rate", type=float, default=10.0, help="messages/s from all senders"
    )
    parser.add_argument(
        "--duration", type=float, default=30.0, help="seconds of load per consumer"
    )
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds")
    parser.add_argument(
        "--drain",
        type=float,
        default=5.0,
        help="seconds to wait for deliveries after a round's last send",
    )
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--layer",
        choices=[*LAYERS, "both"],
        default="pubsub",
        help="channel layer (pubsub, the product's default)",
    )
    parser.add_argument(
        "--small", action="store_true", help="50 clients, 10 senders, 5 msg/s, 6 s"
    )
    parser.add_argument(
        "--connect-concurrency", type=int, default=20, help="handshakes at once"
    )
    parser.add_argument("--pool", type=int, default=10, help="DATABASE_POOL_MAX")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--force", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--profile", metavar="DIR", help="record py-spy raw stacks of each server"
    )
    args = parser.parse_args(argv)
    if args.small:
        args.clients, args.senders, args.rate = 50, 10, 5.0
        args.duration, args.rounds, args.warmup = 6.0, 2, 1.0
    if args.senders > args.clients:
        parser.error("--senders must not exceed --clients")
    if args.rate / args.senders > SENDER_RATE_MAX:
        parser.error(
            f"--rate / --senders must be ≤ {SENDER_RATE_MAX} messages/s per sender "
            "(the chat allows 5 in 5 s): add senders"
        )
    args.debug = False
    args.no_redis = False
    args.layer_now = LAYERS[0] if args.layer == "both" else args.layer
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    servers: list = []
    created = False

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    # Also when started in the background, where SIGINT arrives ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    results: list[tuple[str, Tally, Tally, str, str]] = []
    try:
        print(f"Creating {urlsplit(args.database_url).path.lstrip('/')} …")
        database_recreate(args.database_url, args.force)
        created = True
        migrate(args)
        django_setup(args)
        key, clients = data_load(args)
        layers = LAYERS if args.layer == "both" else (args.layer,)
        for layer in layers:
            args.layer_now = layer
            forum.redis_clean(args.redis_url)
            room_reset()
            servers = servers_start(args)
            load_at_start = os.getloadavg()[0]
            print(
                f"{layer} layer: {args.processes} daphne processes on "
                f"{', '.join(str(port) for port, _ in servers)}; {args.clients} "
                f"clients per consumer, {args.senders} senders, {args.rate:g} msg/s, "
                f"{args.duration:g} s per consumer in {args.rounds} rounds"
            )
            bare, room = asyncio.run(measure_layer(args, servers, key, clients))
            servers_stop(servers)
            servers = []
            load = f"{load_at_start:.1f} → {os.getloadavg()[0]:.1f}"
            _passed, text = verdict(bare, room)
            results.append((layer, bare, room, text, load))
        for layer, bare, room, text, load in results:
            print(f"\n{layer} layer (load average {load} on {os.cpu_count()} CPUs)\n")
            print(report(bare, room))
            if room.refusals:
                print(f"refused: {room.refusals}")
            for t in (bare, room):
                if t.closed or t.unsent:
                    print(
                        f"{t.name}: {t.closed} sockets closed by the server, "
                        f"{t.unsent} messages not sent (see the daphne logs)"
                    )
            print(text)
        if len(results) == 2:
            (_, bare_a, room_a, *_), (_, bare_b, room_b, *_) = results

            def ratio(b: float, a: float) -> str:
                # A layer that delivered nothing has no figure to divide by.
                return f"{b / a:.2f}" if a and not math.isnan(a) else "n/a"

            print(
                f"\npubsub / core: lounge deliveries/s "
                f"{ratio(room_b.per_second, room_a.per_second)}, p99 "
                f"{ratio(room_b.percentile(99), room_a.percentile(99))}; bare "
                f"deliveries/s {ratio(bare_b.per_second, bare_a.per_second)}, p99 "
                f"{ratio(bare_b.percentile(99), bare_a.percentile(99))}"
            )
        print(f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        return 0
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        return 130
    finally:
        servers_stop(servers)
        forum.teardown(args, None, created)


if __name__ == "__main__":
    sys.exit(main())

"""Mixed load with faults: the machinery shared by bench/mixed.py (a full run
with figures) and tests/test_mixed_load_faults.py (a short run that asserts).

A *scene* is one community with members who browse, post, apply, confirm,
answer a survey and chat, and four gatherings whose time-driven jobs fall
due at chosen moments (the draw at the close of applications, the
hour-before reminder, the survey's close). *Users* drive it over HTTP and
websockets, round-robin across the server processes, and keep a *ledger* of
every write the server acknowledged. *Faults* are played by the caller
(stop Redis, restart a server, restart the worker) through callbacks, each
inside a named window, so that every answer is counted against the fault it
happened in. ``verify`` then compares the ledger with the database and
checks that every job that fell due ran exactly once.

The servers, Redis and the worker are the caller's: forked processes in the
test, subprocesses in the benchmark. Everything here runs in the caller's
process, with Django set up on the same database.
"""

import asyncio
import contextlib
import itertools
import math
import random
import secrets
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 15.0
# The chat allows 5 messages in 5 s per member and room.
CHAT_INTERVAL = 2.0
OK_LEVEL = 25  # django.contrib.messages.SUCCESS
TITLE = "혼합 부하 모임"


# --- Scene -------------------------------------------------------------------------


@dataclass
class User:
    member_id: int
    session: str
    csrf: str
    # What this user may do besides browsing and posting.
    applies: bool = True
    offered: bool = False
    attendee_of_survey: bool = False
    chats: bool = False


@dataclass
class Scene:
    community: str
    board: str
    lounge: str
    thread_ids: list[int]
    users: list[User]
    # name -> gathering id: "apply", "confirm", "remind", "survey"
    gatherings: dict[str, int]
    # job -> the moment it falls due: "draw", "reminder", "survey_close"
    due: dict[str, datetime]


def _csrf() -> str:
    from django.middleware.csrf import _get_new_csrf_string

    return _get_new_csrf_string()


def sessions_store(member_ids: list[int]) -> dict[int, str]:
    """A signed-in session per member, stored directly (what the sign-in
    view stores, without hashing passwords)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from community.models import Member

    store = SessionStore()
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    keys, rows = {}, []
    for member in Member.objects.filter(pk__in=member_ids):
        key = store._get_new_session_key()
        rows.append(
            Session(
                session_key=key,
                session_data=store.encode(
                    {
                        SESSION_KEY: str(member.pk),
                        BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                        HASH_SESSION_KEY: member.get_session_auth_hash(),
                    }
                ),
                expire_date=expires,
            )
        )
        keys[member.pk] = key
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


def _shift(gathering_id: int, delta: timedelta) -> None:
    """Move a gathering's whole schedule (and its offers' and survey's) by
    ``delta``: made on a far-future schedule and advanced through its states
    with ``now=``, it then lies where the wall clock makes its jobs due."""
    from django.db.models import F

    from events.models import Application, Gathering, Survey

    Gathering.objects.filter(pk=gathering_id).update(
        **{
            name: F(name) + delta
            for name in (
                "applications_open_at",
                "applications_close_at",
                "starts_at",
                "ends_at",
            )
        }
    )
    Application.objects.filter(
        gathering_id=gathering_id, offer_expires_at__isnull=False
    ).update(offer_expires_at=F("offer_expires_at") + delta)
    Survey.objects.filter(gathering_id=gathering_id, opens_at__isnull=False).update(
        opens_at=F("opens_at") + delta, closes_at=F("closes_at") + delta
    )


def scene_build(
    *,
    community,
    organiser,
    members: list,
    threads: list[int],
    draw_at: datetime,
    reminder_at: datetime,
    survey_close_at: datetime,
) -> Scene:
    """Four gatherings of ``community`` around ``members`` (at least 8):

    - "apply": open now, applications close at ``draw_at`` (the draw runs
      then); every user applies during the load;
    - "confirm": drawn, half the members hold a seat offer to confirm;
    - "remind": a quarter confirmed, starting an hour after ``reminder_at``
      (the hour-before reminder falls due then; the day-before one is sent
      now);
    - "survey": ended, its attendees answer the survey, which closes at
      ``survey_close_at``.
    """
    from django.utils import timezone

    from events.models import Application, ApplicationStatus, GatheringStatus
    from events.services.applications import application_submit
    from events.services.gatherings import gathering_create, gathering_publish
    from events.services.lifecycle import gathering_advance
    from events.services.offers import offer_confirm
    from realtime.models import Room

    now = timezone.now().replace(microsecond=0)
    n = len(members)
    if n < 8:
        raise ValueError("a scene needs at least 8 members")

    def make(title: str, start: datetime, capacity: int, **times):
        values = {
            "title": f"{TITLE} · {title}",
            "description": "부하 시험",
            "video_link": "https://meet.example/mixed-load-not-a-meeting",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "applications_open_at": start - timedelta(days=6),
            "applications_close_at": start - timedelta(days=4),
            "capacity": capacity,
        }
        values.update(times)
        gathering = gathering_create(
            community=community, created_by=organiser, **values
        )
        return gathering_publish(gathering=gathering)

    def drawn(title: str, capacity: int, applicants: list):
        far = now + timedelta(days=30)
        gathering = make(title, far, capacity)
        opened = gathering_advance(
            gathering_id=gathering.pk, now=gathering.applications_open_at
        )
        for i, member in enumerate(applicants):
            application_submit(
                member=member,
                gathering=opened,
                now=opened.applications_open_at + timedelta(seconds=60 + i),
            )
        closed = gathering_advance(
            gathering_id=gathering.pk, now=opened.applications_close_at
        )
        assert closed.status == GatheringStatus.DRAWN
        return closed

    def offered(gathering) -> list[int]:
        return list(
            Application.objects.filter(
                gathering=gathering, status=ApplicationStatus.OFFERED
            ).values_list("member_id", flat=True)
        )

    def confirm_all(gathering) -> list[int]:
        ids = offered(gathering)
        at = gathering.applications_close_at + timedelta(minutes=1)
        for member in members:
            if member.pk in ids:
                offer_confirm(member=member, gathering=gathering, now=at)
        return ids

    apply = make(
        "추첨",
        draw_at + timedelta(days=3),
        max(1, n // 4),
        applications_open_at=now - timedelta(minutes=1),
        applications_close_at=draw_at,
    )

    confirm = drawn("좌석 확정", n // 2, members)
    offered_ids = set(offered(confirm))
    close = confirm.applications_close_at
    _shift(confirm.pk, now - timedelta(minutes=1) - close)

    remind = drawn("리마인더", n // 4, members)
    confirm_all(remind)
    _shift(remind.pk, reminder_at + timedelta(hours=1) - remind.starts_at)

    survey = drawn("설문", n // 2, members)
    attendee_ids = set(confirm_all(survey))
    for moment in (survey.lobby_at, survey.starts_at, survey.ends_at):
        survey = gathering_advance(gathering_id=survey.pk, now=moment)
    assert survey.status == GatheringStatus.SURVEY_OPEN, survey.status
    _shift(survey.pk, now - timedelta(minutes=5) - survey.ends_at)
    from events.models import Survey

    Survey.objects.filter(gathering=survey).update(closes_at=survey_close_at)

    # Recompute what falls due next on the real clock and queue it.
    for gathering in (confirm, remind, survey):
        gathering_advance(gathering_id=gathering.pk, now=timezone.now())

    Room.objects.get_or_create(community=community)
    sessions = sessions_store([m.pk for m in members])
    users = [
        User(
            member_id=m.pk,
            session=sessions[m.pk],
            csrf=_csrf(),
            offered=m.pk in offered_ids,
            attendee_of_survey=m.pk in attendee_ids,
            chats=i % 2 == 0,
        )
        for i, m in enumerate(members)
    ]
    return Scene(
        community=community.slug,
        board="job-talk",
        lounge=f"lounge-{community.slug}",
        thread_ids=threads,
        users=users,
        gatherings={
            "apply": apply.pk,
            "confirm": confirm.pk,
            "remind": remind.pk,
            "survey": survey.pk,
        },
        due={
            "draw": draw_at,
            "reminder": reminder_at,
            "survey_close": survey_close_at,
        },
    )


# --- HTTP --------------------------------------------------------------------------


class BadResponse(Exception):
    pass


@dataclass
class Answer:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str:
        values = self.headers.get(name, [])
        return values[0] if values else ""


async def http(
    port: int,
    method: str,
    path: str,
    *,
    user: User | None = None,
    form: dict | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> Answer:
    """One request on a connection of its own (a restarted server leaves no
    stale keep-alive connection behind)."""

    async def exchange() -> Answer:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            body = urlencode(form or {}).encode()
            lines = [
                f"{method} {path} HTTP/1.1",
                f"Host: {HOST}:{port}",
                "Accept-Language: ko",
                "User-Agent: moim-mixed-load",
                "Connection: close",
            ]
            if user is not None:
                lines.append(f"Cookie: sessionid={user.session}; csrftoken={user.csrf}")
            if method == "POST":
                lines += [
                    "Content-Type: application/x-www-form-urlencoded",
                    f"Content-Length: {len(body)}",
                    f"Origin: http://{HOST}:{port}",
                    f"Referer: http://{HOST}:{port}{path}",
                ]
                if user is not None:
                    lines.append(f"X-CSRFToken: {user.csrf}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            await writer.drain()
            raw = await reader.read()
        finally:
            writer.close()
        head, _, content = raw.partition(b"\r\n\r\n")
        if not head:
            raise BadResponse("connection closed")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, list[str]] = defaultdict(list)
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()].append(value.strip())
        return Answer(int(status_line.split()[1]), dict(headers), content)

    return await asyncio.wait_for(exchange(), timeout)


def message_levels(answer: Answer) -> list[int]:
    """The levels of the flash messages a redirect carries in its cookie."""
    from django.contrib.messages.storage.cookie import CookieStorage

    storage = CookieStorage(None)
    levels = []
    for cookie in answer.headers.get("set-cookie", []):
        name, _, rest = cookie.partition("=")
        if name.strip() != storage.cookie_name:
            continue
        value = rest.split(";")[0].strip().strip('"')
        for message in storage._decode(value) or []:
            levels.append(message.level)
    return levels


# --- Statistics --------------------------------------------------------------------


@dataclass
class Outcome:
    action: str
    window: str
    port: int
    started: float
    latency: float
    status: int | None  # None: no answer (refused connection, timeout)
    degraded: bool = False  # the documented 503 while Redis is down


@dataclass
class Stats:
    outcomes: list[Outcome] = field(default_factory=list)
    windows: list[tuple[str, float, float]] = field(default_factory=list)

    def by_action(self) -> dict[str, list[Outcome]]:
        grouped = defaultdict(list)
        for o in self.outcomes:
            grouped[o.action].append(o)
        return dict(grouped)

    def by_window(self) -> dict[str, list[Outcome]]:
        grouped = defaultdict(list)
        for o in self.outcomes:
            grouped[o.window].append(o)
        return dict(grouped)


def percentile(values: list[float], p: float) -> float:
    """Milliseconds, nearest rank."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


def is_server_error(o: Outcome) -> bool:
    return o.status is not None and o.status >= 500 and not o.degraded


def actions_table(stats: Stats, seconds: float) -> str:
    lines = [
        "| action | requests | 2xx/3xx | 4xx | 503 Redis down | 5xx | no answer "
        "| p50 ms | p99 ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for action, outcomes in sorted(stats.by_action().items()):
        answered = [o for o in outcomes if o.status is not None]
        lines.append(
            f"| {action} | {len(outcomes)} "
            f"| {sum(o.status < 400 for o in answered)} "
            f"| {sum(400 <= o.status < 500 for o in answered)} "
            f"| {sum(o.degraded for o in answered)} "
            f"| {sum(is_server_error(o) for o in answered)} "
            f"| {len(outcomes) - len(answered)} "
            f"| {percentile([o.latency for o in answered], 50):.1f} "
            f"| {percentile([o.latency for o in answered], 99):.1f} "
            f"| {len(outcomes) / seconds:.1f} |"
        )
    return "\n".join(lines)


def windows_table(stats: Stats) -> str:
    lines = [
        "| window | seconds | requests | 503 Redis down (paths) | other 5xx "
        "| no answer (ports) |",
        "|---|---:|---:|---|---:|---|",
    ]
    spans = {name: end - start for name, start, end in stats.windows}
    for name, outcomes in stats.by_window().items():
        degraded = Counter(o.action for o in outcomes if o.degraded)
        unanswered = Counter(o.port for o in outcomes if o.status is None)
        lines.append(
            f"| {name} | {spans.get(name, math.nan):.1f} | {len(outcomes)} "
            f"| {sum(degraded.values())} "
            f"{dict(degraded) if degraded else ''} "
            f"| {sum(is_server_error(o) for o in outcomes)} "
            f"| {sum(unanswered.values())} {dict(unanswered) if unanswered else ''} |"
        )
    return "\n".join(lines)


# --- Ledger ------------------------------------------------------------------------


@dataclass
class Ledger:
    """Every write the server acknowledged."""

    comments: set[str] = field(default_factory=set)  # tokens in the body
    threads: set[str] = field(default_factory=set)  # tokens in the title
    applications: set[int] = field(default_factory=set)  # member ids
    confirmations: set[int] = field(default_factory=set)  # member ids
    surveys: set[str] = field(default_factory=set)  # tokens in an answer
    survey_members: set[int] = field(default_factory=set)
    chat: dict[str, int] = field(default_factory=dict)  # client id -> member


# --- Load --------------------------------------------------------------------------


@dataclass
class Load:
    scene: Scene
    ports: list[int]
    stats: Stats = field(default_factory=Stats)
    ledger: Ledger = field(default_factory=Ledger)
    think: float = 0.3
    window: str = "warm-up"
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    redis_down: bool = False
    chat_clients: list = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    # Exceptions of the load's own code (a bug here, not a server answer).
    crashes: list[str] = field(default_factory=list)
    # Chat messages sent again with the same client id after a reconnect:
    # the server answers a resend to the sender alone, so the sender may hear
    # such a message twice, by design.
    chat_resent: set[str] = field(default_factory=set)
    _counter: itertools.count = field(default_factory=itertools.count)

    # -- windows

    @contextlib.contextmanager
    def during(self, name: str):
        self.window = name
        started = time.monotonic()
        try:
            yield
        finally:
            self.stats.windows.append((name, started, time.monotonic()))
            self.window = f"after {name}"

    # -- requests

    def _port(self, index: int) -> int:
        return self.ports[next(self._counter) % len(self.ports)]

    async def request(self, action: str, index: int, method: str, path: str, **kw):
        port = self._port(index)
        started = time.monotonic()
        try:
            answer = await http(port, method, path, **kw)
        except (OSError, TimeoutError, BadResponse, ValueError, IndexError):
            self.stats.outcomes.append(
                Outcome(
                    action, self.window, port, started, time.monotonic() - started, None
                )
            )
            return None
        degraded = answer.status == 503 and answer.header("retry-after") != ""
        self.stats.outcomes.append(
            Outcome(
                action,
                self.window,
                port,
                started,
                time.monotonic() - started,
                answer.status,
                degraded,
            )
        )
        return answer

    # -- one user

    async def user_run(self, index: int) -> None:
        from django.urls import reverse

        user = self.scene.users[index]
        s = self.scene
        board = reverse("board_detail", args=[s.community, s.board])
        pending = {
            "apply": user.applies,
            "confirm": user.offered,
            "survey": user.attendee_of_survey,
        }
        gathering_path = {
            name: reverse(view, args=[s.community, s.gatherings[key]])
            for name, view, key in (
                ("apply", "gathering_apply", "apply"),
                ("confirm", "offer_confirm", "confirm"),
                ("survey", "survey_answer", "survey"),
            )
        }
        # Spread the users' first requests over one think time.
        await asyncio.sleep(self.rng.random() * self.think)
        while not self.stopping.is_set():
            try:
                await self._step(index, user, pending, gathering_path, board)
            except Exception as exc:  # a bug of the load, reported
                self.crashes.append(repr(exc))
            await asyncio.sleep(self.think * (0.5 + self.rng.random()))

    async def _step(self, index, user, pending, gathering_path, board) -> None:
        from django.urls import reverse

        s = self.scene
        roll = self.rng.random()
        once = [name for name, due in pending.items() if due]
        if once and roll < 0.15:
            name = self.rng.choice(once)
            done = await self._once(name, index, user, gathering_path[name])
            if done:
                pending[name] = False
        elif roll < 0.45:
            await self.request("thread list", index, "GET", board, user=user)
        elif roll < 0.80:
            thread = self.rng.choice(s.thread_ids)
            path = reverse("thread_detail", args=[s.community, thread])
            await self.request("thread page", index, "GET", path, user=user)
        elif roll < 0.95:
            await self._comment(index, user)
        else:
            await self._post_thread(index, user, board)

    async def _comment(self, index: int, user: User) -> None:
        from django.urls import reverse

        s = self.scene
        thread = self.rng.choice(s.thread_ids)
        token = f"c{index}x{secrets.token_hex(6)}"
        answer = await self.request(
            "post comment",
            index,
            "POST",
            reverse("comment_create", args=[s.community, thread]),
            user=user,
            form={"body": f"부하 시험 댓글입니다 {token}"},
        )
        location = answer.header("location") if answer is not None else ""
        if answer is not None and answer.status == 302 and "#comment-" in location:
            self.ledger.comments.add(token)

    async def _post_thread(self, index: int, user: User, board: str) -> None:
        from django.urls import reverse

        s = self.scene
        token = f"t{index}x{secrets.token_hex(6)}"
        answer = await self.request(
            "post thread",
            index,
            "POST",
            reverse("thread_create", args=[s.community, s.board]),
            user=user,
            form={
                "title": f"부하 시험 글 {token}",
                "tag": "discussion",
                "body": f"혼합 부하 중에 쓴 글입니다. {token}",
            },
        )
        if answer is not None and answer.status == 302:
            location = urlsplit(answer.header("location")).path
            if location.startswith(f"/c/{s.community}/") and location != board:
                self.ledger.threads.add(token)

    async def _once(self, name: str, index: int, user: User, path: str) -> bool:
        """Apply, confirm or answer the survey; True once the server has
        answered for good (acknowledged or refused), False to try again."""
        form = {}
        token = ""
        if name == "apply":
            form = {"motivation": "부하 시험"}
        elif name == "survey":
            token = f"s{index}x{secrets.token_hex(6)}"
            form = {"satisfaction": str(1 + index % 5), "useful": token}
        answer = await self.request(name, index, "POST", path, user=user, form=form)
        if answer is None or answer.status >= 500:
            return False
        if name == "survey":
            if answer.status == 302:
                self.ledger.surveys.add(token)
                self.ledger.survey_members.add(user.member_id)
            return True
        if answer.status == 302 and OK_LEVEL in message_levels(answer):
            ledger = (
                self.ledger.applications
                if name == "apply"
                else self.ledger.confirmations
            )
            ledger.add(user.member_id)
        return True

    # -- chat

    async def chat_run(self, client, index: int) -> None:
        """Send a message every CHAT_INTERVAL once the previous one is
        acknowledged (the sender holds it with a sequence number). As
        static/js/live.js does, a message not yet acknowledged is sent again,
        with the same client id, after a reconnect, and only then."""
        user = self.scene.users[index]
        number = 0
        await asyncio.sleep(self.rng.random() * CHAT_INTERVAL)
        while not self.stopping.is_set():
            client_id = f"m{index}-{number}"
            number += 1
            body = f"{client_id} 부하 시험 채팅"
            first = time.monotonic()
            window = self.window
            connection = None
            while not self.stopping.is_set():
                if body in client.messages.values():
                    self.ledger.chat[client_id] = user.member_id
                    self.stats.outcomes.append(
                        Outcome(
                            "chat message",
                            window,
                            client.port,
                            first,
                            time.monotonic() - first,
                            200,
                        )
                    )
                    break
                if connection != client.connections:
                    if connection is not None:
                        self.chat_resent.add(client_id)
                    try:
                        await asyncio.wait_for(client.send(client_id, body), 10)
                    except Exception:  # not connected, or dropped mid-send
                        await asyncio.sleep(0.5)
                        continue
                    connection = client.connections
                await asyncio.sleep(0.1)
            await asyncio.sleep(CHAT_INTERVAL * (0.75 + 0.5 * self.rng.random()))

    # -- the load's own thread

    async def _main(self, chat_client_factory) -> None:
        for index, user in enumerate(self.scene.users):
            if user.chats:
                port = self.ports[len(self.chat_clients) % len(self.ports)]
                client = chat_client_factory(port, self.scene.lounge, user.session)
                client.start()
                self.chat_clients.append((index, client))
        for _index, client in self.chat_clients:
            await asyncio.wait_for(client.connected.wait(), 30)
        tasks = [
            asyncio.create_task(self.user_run(i)) for i in range(len(self.scene.users))
        ]
        tasks += [
            asyncio.create_task(self.chat_run(client, i))
            for i, client in self.chat_clients
        ]
        self._ready.set()
        await self.stopping.wait()
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(outcome, BaseException):
                self.crashes.append(repr(outcome))
        self._drained.set()
        # The chat clients stay connected until chat_settle has run.
        await self._closing.wait()

    def start(self, *, chat_client_factory) -> None:
        """Run the users and chat clients in a thread of their own, with
        their own event loop, so that the caller's thread is free to stop
        and fork processes; returns once every chat client is connected.
        The load touches the database only through the servers."""
        self._ready = threading.Event()
        self._drained = threading.Event()
        self._closing = asyncio.Event()
        self._loop = asyncio.new_event_loop()
        self._failure: BaseException | None = None

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._main(chat_client_factory))
            except BaseException as exc:  # reported to the caller
                self._failure = exc
                self._ready.set()

        self._thread = threading.Thread(target=run, name="mixed-load", daemon=True)
        self._started = time.monotonic()
        self._thread.start()
        self._ready.wait(60)
        if self._failure is not None or not self._ready.is_set():
            self.stop()
            raise RuntimeError(f"the load did not start: {self._failure!r}")

    def call(self, coroutine, timeout: float = 120):
        """Run ``coroutine`` on the load's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def stop(self) -> float:
        """Stop the users and chat senders (the chat clients stay connected
        until ``chat_settle``); returns the seconds the load lasted."""
        self._loop.call_soon_threadsafe(self.stopping.set)
        self._drained.wait(60)
        return time.monotonic() - self._started

    def close(self) -> None:
        """Stop everything, the chat clients included, and end the thread."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self.stopping.set)

            async def clients_stop():
                for _i, client in self.chat_clients:
                    with contextlib.suppress(Exception):
                        await client.stop()

            with contextlib.suppress(Exception):
                self.call(clients_stop(), timeout=30)
            self._loop.call_soon_threadsafe(self._closing.set)
            self._thread.join(timeout=30)

    async def chat_settle(self, seqs: set[int], timeout: float) -> dict:
        """Wait until every chat client holds every message stored in the
        lounge (``seqs``); then stop them. Returns what each lacks, and how
        often each connected."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(seqs <= c.messages.keys() for _i, c in self.chat_clients):
                break
            await asyncio.sleep(0.2)
        result = {
            "clients": len(self.chat_clients),
            "stored": len(seqs),
            "missing": {
                i: len(seqs - c.messages.keys())
                for i, c in self.chat_clients
                if seqs - c.messages.keys()
            },
            "live_duplicates": sum(
                1
                for _i, c in self.chat_clients
                for seq, n in c.live_counts.items()
                if n > 1
                and c.messages.get(seq, "").split(" ")[0] not in self.chat_resent
            ),
            "resent": len(self.chat_resent),
            "connections": Counter(c.connections for _i, c in self.chat_clients),
        }
        for _i, client in self.chat_clients:
            try:
                await client.stop()
            except Exception as exc:  # the client had given up: reported
                self.crashes.append(f"chat client: {exc!r}")
        return result


# --- Faults ------------------------------------------------------------------------


async def wait_until(moment: datetime) -> None:
    from django.utils import timezone

    delay = (moment - timezone.now()).total_seconds()
    if delay > 0:
        await asyncio.sleep(delay)


async def login_probe(load: Load, index: int) -> Answer | None:
    """A failed sign-in: the login rate limit lives in the cache, so while
    Redis is down it must be refused with the 503 page, not let through."""
    from django.urls import reverse

    visitor = User(member_id=0, session="", csrf=_csrf())
    return await load.request(
        "login (failed)",
        index,
        "POST",
        reverse("account_login"),
        user=visitor,
        form={"login": "nobody@bench.moim.kr", "password": "wrong-password-1"},
    )


# --- Verification --------------------------------------------------------------------


def jobs_pending(scene: Scene) -> int:
    """Queued jobs that fell due and have not run (or are running)."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    return (
        DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
        .exclude(run_after__gt=timezone.now())
        .count()
    )


def verify(load: Load) -> dict:
    """Compare the ledger with the database and check every job that fell
    due: a dict of findings, each a count that must be 0 (or a list that must
    be empty), plus a few figures."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from community.models import Comment, Notification, Thread
    from events.models import (
        Application,
        ApplicationStatus,
        Draw,
        Gathering,
        GatheringStatus,
        ReminderKind,
        ReminderSent,
        Survey,
        SurveyParticipation,
        SurveyResponse,
    )
    from events.services.notices import gathering_url
    from realtime.models import Message

    s, ledger = load.scene, load.ledger
    g = {name: Gathering.objects.get(pk=pk) for name, pk in s.gatherings.items()}
    findings: dict = {}

    def stored_once(rows: list[str], tokens: set[str]) -> tuple[int, int]:
        counts = Counter(t for text in rows for t in tokens if t in text)
        lost = sum(1 for t in tokens if counts[t] == 0)
        duplicated = sum(1 for t in tokens if counts[t] > 1)
        return lost, duplicated

    comments = list(
        Comment.objects.filter(body__contains="부하 시험 댓글").values_list(
            "body", flat=True
        )
    )
    findings["comments lost"], findings["comments duplicated"] = stored_once(
        comments, ledger.comments
    )
    titles = list(
        Thread.objects.filter(title__startswith="부하 시험 글").values_list(
            "title", flat=True
        )
    )
    findings["threads lost"], findings["threads duplicated"] = stored_once(
        titles, ledger.threads
    )
    applied = Counter(
        Application.objects.filter(gathering=g["apply"]).values_list(
            "member_id", flat=True
        )
    )
    findings["applications lost"] = sum(
        1 for m in ledger.applications if applied[m] == 0
    )
    findings["applications duplicated"] = sum(1 for n in applied.values() if n > 1)
    confirmed = set(
        Application.objects.filter(
            gathering=g["confirm"], status=ApplicationStatus.CONFIRMED
        ).values_list("member_id", flat=True)
    )
    findings["confirmations lost"] = len(ledger.confirmations - confirmed)
    survey = Survey.objects.get(gathering=g["survey"])
    participants = list(
        SurveyParticipation.objects.filter(survey=survey).values_list(
            "member_id", flat=True
        )
    )
    findings["survey participations lost"] = len(
        ledger.survey_members - set(participants)
    )
    findings["survey participations duplicated"] = len(participants) - len(
        set(participants)
    )
    answers = [
        str(a)
        for a in SurveyResponse.objects.filter(survey=survey).values_list(
            "answers", flat=True
        )
    ]
    findings["survey responses lost"], findings["survey responses duplicated"] = (
        stored_once(answers, ledger.surveys)
    )
    chat = Counter(
        Message.objects.filter(
            room__community__slug=s.community, client_id__in=list(ledger.chat)
        ).values_list("client_id", flat=True)
    )
    findings["chat messages lost"] = sum(1 for c in ledger.chat if chat[c] == 0)
    findings["chat messages duplicated"] = sum(1 for n in chat.values() if n > 1)

    # The draw at the close of applications: once, and one notice (and one
    # mail) per applicant.
    apply_url = gathering_url(g["apply"])
    findings["draw not run"] = int(
        Draw.objects.filter(gathering=g["apply"]).count() != 1
        or g["apply"].status == GatheringStatus.OPEN
    )
    notices = Counter(
        Notification.objects.filter(link=apply_url).values_list(
            "recipient_id", flat=True
        )
    )
    findings["draw notices not once"] = sum(
        1 for m in applied if notices[m] != 1
    ) + sum(1 for m in notices if m not in applied)
    # The hour-before reminder: once per attendee.
    attendees = set(
        Application.objects.filter(
            gathering=g["remind"], status=ApplicationStatus.CONFIRMED
        ).values_list("member_id", flat=True)
    )
    reminded = Counter(
        ReminderSent.objects.filter(
            application__gathering=g["remind"], kind=ReminderKind.HOUR_BEFORE
        ).values_list("application__member_id", flat=True)
    )
    findings["hour-before reminders not once"] = sum(
        1 for m in attendees if reminded[m] != 1
    )
    remind_notices = Counter(
        Notification.objects.filter(link=gathering_url(g["remind"])).values_list(
            "recipient_id", flat=True
        )
    )
    # The day-before reminder (sent at set-up) and the hour-before one.
    findings["reminder notices not twice"] = sum(
        1 for m in attendees if remind_notices[m] != 2
    )
    findings["survey not closed once"] = int(
        g["survey"].status != GatheringStatus.SURVEY_CLOSED
        or survey.response_count != len(participants)
        or len(answers) != len(participants)
    )
    # Every queued job ran, each by one worker once, none failed; no mail
    # was queued twice.
    results = DBTaskResult.objects.values_list(
        "status", "worker_ids", "task_path", "args_kwargs"
    )
    statuses = Counter(status for status, *_ in results)
    findings["_jobs not successful"] = Counter(
        (task_path.rsplit(".", 1)[-1], status, exception)
        for status, _w, task_path, _k, exception in DBTaskResult.objects.exclude(
            status="SUCCESSFUL"
        )
        .exclude(status="READY", run_after__gt=timezone.now())
        .values_list(
            "status", "worker_ids", "task_path", "args_kwargs", "exception_class_path"
        )
    )
    findings["jobs not successful"] = sum(findings["_jobs not successful"].values())
    findings["jobs run more than once"] = sum(
        1 for _s, workers, *_ in results if len(workers or []) > 1
    )
    mails = Counter(
        repr(sorted(kwargs["kwargs"].items()))
        for _s, _w, path, kwargs in results
        if path.endswith("email_send")
    )
    findings["mails queued twice"] = sum(1 for n in mails.values() if n > 1)
    findings["_figures"] = {
        "acknowledged": {
            "comments": len(ledger.comments),
            "threads": len(ledger.threads),
            "applications": len(ledger.applications),
            "confirmations": len(ledger.confirmations),
            "survey responses": len(ledger.surveys),
            "chat messages": len(ledger.chat),
        },
        "jobs": dict(statuses),
        "mails": sum(mails.values()),
        "applications stored": len(applied),
        "draws": Draw.objects.filter(gathering=g["apply"]).count(),
        "tasks by kind": dict(
            Counter(path.rsplit(".", 1)[-1] for _s, _w, path, _k in results)
        ),
        "survey responses": len(answers),
    }
    return findings


def failures(findings: dict) -> dict:
    return {k: v for k, v in findings.items() if not k.startswith("_") and v}

"""Applications, seats and the draw under real concurrency on PostgreSQL:
many threads, each with its own database connection, released at the same
instant by a barrier. SQLite serialises writers, so these run only on
PostgreSQL (see tests/conftest.py)."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction

from community.access import access_for
from community.models import SanctionKind
from community.services.moderation import sanction_impose
from events.errors import EventsError
from events.models import (
    SEAT_HOLDING,
    Application,
    ApplicationStatus,
    Draw,
    JoinPass,
    SelectionMode,
)
from events.services.applications import application_submit, application_withdraw
from events.services.offers import offer_confirm, offer_decline
from events.services.seats import locked_gathering
from tests.events.factories import (
    advance,
    apply_all,
    by_rank,
    gathering_open,
    members_joined,
    organiser_of,
    waitlist,
    with_status,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

A = ApplicationStatus


def run_at_once(calls) -> list:
    """Run every call in its own thread, all released together; returns
    each call's result or the exception it raised, in call order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def unexpected(outcomes, allowed_codes=()) -> list:
    """Exceptions other than the refusals a test expects."""
    return [
        o
        for o in outcomes
        if isinstance(o, Exception)
        and not (isinstance(o, EventsError) and o.code in allowed_codes)
    ]


def test_fifty_simultaneous_applications_by_one_member_make_one_row():
    gathering = gathering_open()
    member = members_joined(gathering.community, 1)[0]
    now = gathering.applications_open_at + timedelta(minutes=1)

    outcomes = run_at_once(
        [
            lambda: application_submit(member=member, gathering=gathering, now=now)
            for _ in range(50)
        ]
    )

    assert unexpected(outcomes, {"already_applied"}) == []
    assert sum(isinstance(o, Application) for o in outcomes) == 1
    assert Application.objects.filter(gathering=gathering, member=member).count() == 1


def test_fifty_members_at_once_fill_ten_first_come_seats_and_queue_the_rest():
    gathering = gathering_open(capacity=10, selection_mode=SelectionMode.FIRST_COME)
    members = members_joined(gathering.community, 50)
    now = gathering.applications_open_at + timedelta(minutes=1)

    outcomes = run_at_once(
        [
            lambda m=m: application_submit(member=m, gathering=gathering, now=now)
            for m in members
        ]
    )

    assert unexpected(outcomes) == []
    statuses = Counter(
        Application.objects.filter(gathering=gathering).values_list("status", flat=True)
    )
    assert statuses == {A.CONFIRMED: 10, A.WAITLISTED: 40}
    assert [p for p, _ in waitlist(gathering)] == list(range(1, 41))


def test_winners_confirming_while_others_give_seats_back_never_overfill():
    gathering = gathering_open(capacity=40)
    members = members_joined(gathering.community, 70)
    apply_all(gathering, members)
    gathering = advance(gathering, gathering.applications_close_at)
    winners = [a.member for a in with_status(gathering, A.OFFERED)]
    waiting = [a.member for a in with_status(gathering, A.WAITLISTED)]
    assert (len(winners), len(waiting)) == (40, 30)
    now = gathering.applications_close_at + timedelta(minutes=5)

    def confirm(m):
        return lambda: offer_confirm(member=m, gathering=gathering, now=now)

    def decline(m):
        return lambda: offer_decline(member=m, gathering=gathering, now=now)

    def withdraw(m):
        return lambda: application_withdraw(member=m, gathering=gathering, now=now)

    calls = (
        [confirm(m) for m in winners[:20]]
        + [decline(m) for m in winners[20:30]]
        + [withdraw(m) for m in winners[30:40]]
        + [withdraw(m) for m in waiting[:5]]
    )

    outcomes = run_at_once(calls)

    assert unexpected(outcomes) == []
    rows = list(Application.objects.filter(gathering=gathering))
    held = [a for a in rows if a.status in (A.CONFIRMED, A.OFFERED)]
    assert len(held) <= gathering.capacity
    assert len([a for a in rows if a.status == A.CONFIRMED]) == 20
    # The 20 seats given back went to the next 20 on the waitlist, in rank
    # order; the remaining 5 wait, numbered 1..5.
    assert len([a for a in rows if a.status == A.OFFERED]) == 20
    assert [p for p, _ in waitlist(gathering)] == [1, 2, 3, 4, 5]
    promoted = max(a.rank for a in rows if a.status == A.OFFERED)
    assert promoted < min(r for _, r in waitlist(gathering))
    assert len({a.member_id for a in rows}) == len(rows) == 70


def test_two_organisers_pressing_draw_at_once_make_one_draw():
    gathering = gathering_open(capacity=3)
    applicants = members_joined(gathering.community, 8)
    apply_all(gathering, applicants)
    organisers = [gathering.created_by, organiser_of(gathering.community)]
    now = gathering.applications_close_at + timedelta(minutes=1)

    outcomes = run_at_once(
        [lambda o=o: advance(gathering, now, drawn_by=o) for o in organisers]
    )

    assert unexpected(outcomes) == []
    assert Draw.objects.filter(gathering=gathering).count() == 1
    assert Draw.objects.get(gathering=gathering).drawn_by in organisers
    ranks = sorted(a.rank for a in by_rank(gathering))
    assert ranks == list(range(1, 9))
    assert len(with_status(gathering, A.OFFERED)) == 3


def _lock_waiters() -> int:
    """How many other connections to this database wait for a row lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_an_application_that_passed_its_check_before_a_ban_holds_no_seat_after_it():
    """A first-come application checks the member's standing, then waits for
    the gathering's lock; a ban that commits in between must still win: the
    application is refused, or the ban ends it (never a seat for a banned
    member)."""
    gathering = gathering_open(capacity=10, selection_mode=SelectionMode.FIRST_COME)
    community = gathering.community
    member = members_joined(community, 1)[0]
    moderator = organiser_of(community)
    now = gathering.applications_open_at + timedelta(minutes=1)
    hold, release = threading.Event(), threading.Event()
    outcomes = {}

    def holder():
        # Another transaction holds the gathering's lock meanwhile (the
        # lifecycle, another applicant): the application waits for it.
        try:
            with transaction.atomic():
                locked_gathering(gathering.pk)
                hold.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def run(name, call):
        try:
            outcomes[name] = call()
        except Exception as exc:
            outcomes[name] = exc
        finally:
            connection.close()

    def ban():
        return sanction_impose(
            access=access_for(moderator, community),
            member=member,
            kind=SanctionKind.BAN,
            reason="",
            ends_at=None,
        )

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    assert hold.wait(timeout=10)
    threads.append(
        threading.Thread(
            target=run,
            args=(
                "submit",
                lambda: application_submit(member=member, gathering=gathering, now=now),
            ),
        )
    )
    threads[1].start()
    _until(lambda: _lock_waiters() >= 1)
    threads.append(threading.Thread(target=run, args=("ban", ban)))
    threads[2].start()
    # The ban commits at once, or waits for the application's transaction.
    _until(lambda: "ban" in outcomes or _lock_waiters() >= 2)
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert not isinstance(outcomes["ban"], Exception), outcomes["ban"]
    submitted = outcomes["submit"]
    assert not isinstance(submitted, Exception) or (
        isinstance(submitted, EventsError) and submitted.code == "banned"
    ), submitted
    held = Application.objects.filter(
        gathering=gathering, member=member, status__in=SEAT_HOLDING
    )
    assert not held.exists()
    assert not JoinPass.objects.filter(
        application__member=member, revoked_at__isnull=True
    ).exists()

"""A Hypothesis state machine drives one gathering through random sequences
of apply / withdraw / confirm / decline / cancel while the clock moves (the
close and the draw, offer deadlines, the cut-off, the start, the end), with
or without the scheduled job running, and checks after every step:

- confirmed seats and pending offers together never exceed the capacity;
- one application per member;
- the waitlist is numbered 1..k in draw (or arrival) order, and seats that
  come free go to the front of it;
- a join URL gives the video link to its own confirmed attendee from the
  release time until the end, to nobody else and at no other time; the
  organiser, and no member, organises;
- neither the gathering nor an application ever moves backwards.

Each example runs inside a savepoint that is rolled back at its end.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from events.access import is_organiser
from events.errors import EventsError
from events.join_tokens import join_token
from events.models import (
    SEAT_HOLDING,
    STATUS_ORDER,
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    GatheringStatus,
    JoinPass,
    SelectionMode,
)
from events.services.applications import application_submit, application_withdraw
from events.services.attendance import join_resolve
from events.services.gatherings import gathering_cancel
from events.services.lifecycle import gathering_advance
from events.services.offers import offer_confirm, offer_decline
from tests.events.factories import (
    MARKER_LINK,
    future_start,
    gathering_make,
    members_joined,
)

A = ApplicationStatus
G = GatheringStatus

# One step of an application's life. Within one advance several steps can
# happen at once (a late run can draw, offer and expire), so what is allowed
# between two observations is this relation's transitive closure. Applying
# again after a withdrawal (WITHDRAWN → APPLIED, CONFIRMED or WAITLISTED) is
# allowed only while applications are open and is checked apart.
STEPS = {
    A.APPLIED: {A.OFFERED, A.WAITLISTED, A.WITHDRAWN, A.NOT_SELECTED, A.CANCELLED},
    A.WAITLISTED: {A.OFFERED, A.WITHDRAWN, A.NOT_SELECTED, A.CANCELLED},
    A.OFFERED: {A.CONFIRMED, A.DECLINED, A.EXPIRED, A.WITHDRAWN, A.CANCELLED},
    A.CONFIRMED: {A.WITHDRAWN, A.CANCELLED},
    A.DECLINED: {A.CANCELLED},
    A.EXPIRED: {A.CANCELLED},
    A.NOT_SELECTED: {A.CANCELLED},
    A.WITHDRAWN: set(),
    A.CANCELLED: set(),
}
REAPPLIED = {A.APPLIED, A.CONFIRMED, A.WAITLISTED}


def _closure(steps):
    reachable = {}
    for start in steps:
        seen, todo = set(), [start]
        while todo:
            for nxt in steps[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        reachable[start] = seen
    return reachable


REACHABLE = _closure(STEPS)

# Where the clock can jump to, from the gathering's schedule: mostly to
# whatever falls due next or a little later, sometimes far ahead.
TARGETS = [
    "next_due",
    "next_due",
    "next_due",
    "earliest_offer_deadline",
    "plus_hour",
    "plus_hour",
    "plus_day",
    "link_release_at",
    "offer_cutoff_at",
]


def _order_key(application: Application):
    """The waitlist's order: the draw's rank, then arrival."""
    return (
        application.rank if application.rank is not None else 0,
        application.created_at,
        application.pk,
    )


class GatheringMachine(RuleBasedStateMachine):
    @initialize(
        capacity=st.integers(1, 4),
        headcount=st.integers(2, 8),
        mode=st.sampled_from([SelectionMode.LOTTERY, SelectionMode.FIRST_COME]),
        early=st.sampled_from([0.0, 0.5, 1.0, 1.0]),
    )
    def start(self, capacity, headcount, mode, early):
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        # A tight schedule, so that a few steps reach every stage: the window
        # closes 30 h before the start, offers last 6 h, the link is released
        # 24 h before the start.
        starts = future_start()
        gathering = gathering_make(
            capacity=capacity,
            selection_mode=mode,
            starts_at=starts,
            applications_open_at=starts - timedelta(days=3),
            applications_close_at=starts - timedelta(hours=30),
            claim_window=timedelta(hours=6),
        )
        self.gathering_id = gathering.pk
        self.organiser = gathering.created_by
        self.members = members_joined(gathering.community, headcount)
        self.now = gathering.applications_open_at
        self.gathering = gathering_advance(gathering_id=gathering.pk, now=self.now)
        self.seen_gathering = self.gathering.status
        self.seen = {}
        # Organisers see the link on their pages; no applicant organises.
        assert is_organiser(self.organiser, gathering)
        assert not any(is_organiser(m, gathering) for m in self.members)
        # Those who apply as soon as the window opens: none, half or all,
        # so that waitlists are common.
        for member in self.members[: round(early * headcount)]:
            self._apply_one(member)

    def teardown(self):
        if hasattr(self, "_savepoint"):
            transaction.set_rollback(True)
            self._savepoint.__exit__(None, None, None)

    # ------------------------------------------------------------------
    # What members and organisers do
    # ------------------------------------------------------------------

    def _fresh(self) -> Gathering:
        self.gathering = Gathering.objects.get(pk=self.gathering_id)
        return self.gathering

    def _application(self, member):
        return Application.objects.filter(
            gathering_id=self.gathering_id, member=member
        ).first()

    @rule(whos=st.lists(st.integers(0, 7), min_size=1, max_size=4))
    def apply(self, whos):
        for who in whos:
            self._apply_one(self.members[who % len(self.members)])

    def _apply_one(self, member):
        gathering = self._fresh()
        before = self._application(member)
        may = (
            gathering.status == G.OPEN
            and gathering.applications_open_at
            <= self.now
            < gathering.applications_close_at
            and (before is None or before.status == A.WITHDRAWN)
        )
        try:
            application_submit(member=member, gathering=gathering, now=self.now)
        except EventsError:
            assert not may, "a member who may apply was refused"
        else:
            assert may, "an application was accepted that should not have been"

    def _pick(self, who: int, among_offered: bool):
        """A member: any, or (mostly) one who holds an offer, if someone does."""
        if among_offered:
            offered = list(
                Application.objects.filter(
                    gathering_id=self.gathering_id, status=A.OFFERED
                )
                .order_by("pk")
                .values_list("member_id", flat=True)
            )
            if offered:
                chosen = offered[who % len(offered)]
                return next(m for m in self.members if m.pk == chosen)
        return self.members[who % len(self.members)]

    @rule(who=st.integers(0, 7), among_offered=st.booleans())
    def withdraw(self, who, among_offered):
        member = self._pick(who, among_offered)
        gathering = self._fresh()
        before = self._application(member)
        may = (
            before is not None
            and before.status in {A.APPLIED, A.OFFERED, A.CONFIRMED, A.WAITLISTED}
            and self.now < gathering.starts_at
        )
        try:
            application_withdraw(member=member, gathering=gathering, now=self.now)
        except EventsError:
            assert not may
        else:
            assert may

    @rule(who=st.integers(0, 7), among_offered=st.booleans())
    def confirm(self, who, among_offered):
        member = self._pick(who, among_offered)
        before = self._application(member)
        may = (
            before is not None
            and before.status == A.OFFERED
            and (before.offer_expires_at is None or self.now < before.offer_expires_at)
        )
        try:
            offer_confirm(member=member, gathering=self._fresh(), now=self.now)
        except EventsError:
            assert not may
        else:
            assert may

    @rule(who=st.integers(0, 7), among_offered=st.booleans())
    def decline(self, who, among_offered):
        member = self._pick(who, among_offered)
        before = self._application(member)
        may = before is not None and before.status == A.OFFERED
        try:
            offer_decline(member=member, gathering=self._fresh(), now=self.now)
        except EventsError:
            assert not may
        else:
            assert may

    @precondition(lambda self: self.gathering.status != G.CANCELLED)
    @rule(chance=st.integers(0, 9))
    def cancel(self, chance):
        # Cancelling is rare in life, and ends the interesting part.
        if chance < 9:
            return
        gathering = self._fresh()
        ended = gathering.status in {
            G.ENDED,
            G.SURVEY_OPEN,
            G.SURVEY_CLOSED,
            G.ARCHIVED,
        }
        try:
            gathering_cancel(gathering=gathering, reason="사정상 취소")
        except EventsError:
            assert ended
        else:
            assert not ended

    @rule(to=st.sampled_from(TARGETS), run_job=st.sampled_from([True, True, False]))
    def clock(self, to, run_job):
        """Time passes; the scheduled job runs, or (a stopped worker) not,
        in which case the next action still sees the real time."""
        gathering = self._fresh()
        moments = {
            "next_due": gathering.next_due_at,
            "earliest_offer_deadline": Application.objects.filter(
                gathering=gathering, status=A.OFFERED
            )
            .order_by("offer_expires_at")
            .values_list("offer_expires_at", flat=True)
            .first(),
            "plus_hour": self.now + timedelta(hours=1),
            "plus_day": self.now + timedelta(days=1),
        }
        when = moments[to] if to in moments else getattr(gathering, to)
        if when is not None and when > self.now:
            self.now = when
        if run_job:
            self.gathering = gathering_advance(
                gathering_id=self.gathering_id, now=self.now
            )

    @rule()
    def organiser_presses_draw(self):
        self.gathering = gathering_advance(
            gathering_id=self.gathering_id, now=self.now, drawn_by=self.organiser
        )

    # ------------------------------------------------------------------
    # What must hold after every step
    # ------------------------------------------------------------------

    @invariant()
    def after_every_step(self):
        """One read of the state, then every check, each named for its rule."""
        gathering = Gathering.objects.get(pk=self.gathering_id)
        applications = list(Application.objects.filter(gathering=gathering))
        self.check_seats_never_exceed_capacity(gathering, applications)
        self.check_one_application_per_member(applications)
        self.check_waitlist_is_numbered_in_order(applications)
        self.check_ranks_follow_the_draw(applications)
        self.check_join_links_reach_exactly_the_attendees_from_release(
            gathering, applications
        )
        self.check_nothing_moves_backwards(gathering, applications)

    def check_seats_never_exceed_capacity(self, gathering, applications):
        held = [a for a in applications if a.status in SEAT_HOLDING]
        assert len(held) <= gathering.capacity

    def check_one_application_per_member(self, applications):
        members = [a.member_id for a in applications]
        assert len(members) == len(set(members))

    def check_waitlist_is_numbered_in_order(self, applications):
        waiting = sorted(
            (a for a in applications if a.status == A.WAITLISTED), key=_order_key
        )
        assert [a.waitlist_position for a in waiting] == list(
            range(1, len(waiting) + 1)
        )
        others = [a for a in applications if a.status != A.WAITLISTED]
        assert all(a.waitlist_position is None for a in others)

    def check_ranks_follow_the_draw(self, applications):
        draw = Draw.objects.filter(gathering_id=self.gathering_id).first()
        if draw is None:
            assert all(a.rank is None for a in applications)
            return
        ranks = {e["public_id"]: e["rank"] for e in draw.record["entries"]}
        for application in applications:
            if application.public_id in ranks:
                assert application.rank == ranks[application.public_id]

    def check_join_links_reach_exactly_the_attendees_from_release(
        self, gathering, applications
    ):
        passes = list(
            JoinPass.objects.filter(
                application__gathering_id=self.gathering_id
            ).select_related("application")
        )
        confirmed = {a.member_id for a in applications if a.status == A.CONFIRMED}
        holders = {p.application.member_id for p in passes if p.revoked_at is None}
        assert confirmed <= holders, "an attendee has no live join URL"
        released = (
            gathering.link_release_at <= self.now < gathering.ends_at
            and gathering.status != G.CANCELLED
        )
        for join_pass in passes:
            token = join_token(join_pass)
            for member in [self.organiser, *self.members]:
                owner = join_pass.application.member_id == member.pk
                attendee = owner and member.pk in confirmed and not join_pass.revoked_at
                try:
                    link = join_resolve(token=token, member=member, now=self.now)
                except (LookupError, EventsError):
                    assert not (attendee and released)
                else:
                    assert attendee and released
                    assert link == MARKER_LINK
                    event("an attendee reached the link")

    def check_nothing_moves_backwards(self, gathering, applications):
        if self.seen_gathering == G.CANCELLED:
            assert gathering.status == G.CANCELLED
        elif gathering.status != G.CANCELLED:
            assert STATUS_ORDER.index(gathering.status) >= STATUS_ORDER.index(
                self.seen_gathering
            )
        current = {a.pk: a for a in applications}
        for pk, was in self.seen.items():
            now = current[pk].status
            if now == was:
                continue
            if was == A.WITHDRAWN and now in REAPPLIED:
                assert gathering.status == G.OPEN
                continue
            assert now in REACHABLE[was], f"{was} → {now}"
        # Seats that came free went to the front of the waitlist.
        promoted = [
            a
            for pk, a in current.items()
            if self.seen.get(pk) == A.WAITLISTED and a.status == A.OFFERED
        ]
        still = [
            a
            for pk, a in current.items()
            if self.seen.get(pk) == A.WAITLISTED and a.status == A.WAITLISTED
        ]
        if promoted:
            event("a seat passed to the waitlist")
        if promoted and still:
            assert max(map(_order_key, promoted)) < min(map(_order_key, still))
        event(f"reached {gathering.status}")
        self.seen_gathering = gathering.status
        self.seen = {pk: a.status for pk, a in current.items()}


@pytest.mark.django_db
def test_gathering_invariants_hold_under_random_sequences():
    run_state_machine_as_test(
        GatheringMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )

"""events.services.lifecycle.gathering_advance moves a gathering through
PRODUCT.md's lifecycle, each transition at its moment and not a second
before, idempotently; the draw it runs is fair as the community's policy says
and verifiable from its record alone."""

import copy
from datetime import timedelta

import pytest
from django.core import mail

from community.models import Notification
from events import draw as algorithm
from events.fairness import weights_compute
from events.models import (
    Application,
    ApplicationStatus,
    Draw,
    FairnessPolicy,
    Gathering,
    GatheringStatus,
    ReminderKind,
    ReminderSent,
    SelectionMode,
)
from events.services.draw import draw_notices_send
from events.services.gatherings import gathering_cancel
from events.services.offers import offer_confirm
from tests.events.factories import (
    SECOND,
    advance,
    application_of,
    apply_all,
    by_rank,
    gathering_drawn,
    gathering_make,
    gathering_open,
    mails_to,
    members_joined,
    notices_to,
    snapshot,
    waitlist,
    with_status,
)
from tests.factories import community_create

pytestmark = pytest.mark.django_db

A = ApplicationStatus
G = GatheringStatus
DAY_BEFORE_TEXT = "starts tomorrow"
HOUR_BEFORE_TEXT = "starts in an hour"


# --------------------------------------------------------------------------
# Opening and closing
# --------------------------------------------------------------------------


def test_published_draft_opens_at_applications_open_and_not_before():
    gathering = gathering_make()

    assert advance(gathering, gathering.applications_open_at - SECOND).status == (
        G.DRAFT
    )
    assert advance(gathering, gathering.applications_open_at).status == G.OPEN


def test_unpublished_draft_never_advances():
    gathering = gathering_make(publish=False)

    gathering = advance(gathering, gathering.ends_at + timedelta(days=1))

    assert gathering.status == G.DRAFT
    assert gathering.next_due_at is None


def test_lottery_stays_open_until_the_close():
    gathering = gathering_open()
    apply_all(gathering, members_joined(gathering.community, 3))

    gathering = advance(gathering, gathering.applications_close_at - SECOND)

    assert gathering.status == G.OPEN
    assert not Draw.objects.filter(gathering=gathering).exists()
    assert set(Application.objects.values_list("status", flat=True)) == {A.APPLIED}


def test_lottery_close_draws_offering_the_first_capacity_and_waitlisting_the_rest():
    gathering, members = gathering_drawn(capacity=2, applicants=5)

    draw = Draw.objects.get(gathering=gathering)
    ranked = by_rank(gathering)
    assert [a.rank for a in ranked] == [1, 2, 3, 4, 5]
    assert {a.member for a in ranked} == set(members)
    record_ranks = {e["public_id"]: e["rank"] for e in draw.record["entries"]}
    assert {a.public_id: a.rank for a in ranked} == record_ranks
    deadline = gathering.applications_close_at + gathering.claim_window
    assert [(a.status, a.offer_expires_at) for a in ranked[:2]] == [
        (A.OFFERED, deadline),
        (A.OFFERED, deadline),
    ]
    assert [(a.status, a.waitlist_position) for a in ranked[2:]] == [
        (A.WAITLISTED, 1),
        (A.WAITLISTED, 2),
        (A.WAITLISTED, 3),
    ]


def test_draw_offers_everyone_when_fewer_applied_than_there_are_seats():
    gathering, _ = gathering_drawn(capacity=4, applicants=3)

    assert len(with_status(gathering, A.OFFERED)) == 3
    assert waitlist(gathering) == []


def test_draw_with_no_applicants_publishes_an_empty_ranking():
    gathering = gathering_open()

    gathering = advance(gathering, gathering.applications_close_at)

    assert gathering.status == G.DRAWN
    record = Draw.objects.get(gathering=gathering).record
    assert record["entries"] == []
    assert algorithm.verify(record) == []


def test_first_come_close_keeps_arrival_order_and_runs_no_draw():
    gathering = gathering_open(capacity=2, selection_mode=SelectionMode.FIRST_COME)
    members = members_joined(gathering.community, 3)
    apply_all(gathering, members)

    gathering = advance(gathering, gathering.applications_close_at)

    assert gathering.status == G.DRAWN
    assert not Draw.objects.exists()
    assert [application_of(gathering, m).status for m in members] == [
        A.CONFIRMED,
        A.CONFIRMED,
        A.WAITLISTED,
    ]
    assert application_of(gathering, members[2]).waitlist_position == 1


def test_organiser_pressing_draw_records_who_drew():
    gathering = gathering_open()
    apply_all(gathering, members_joined(gathering.community, 2))
    organiser = gathering.created_by

    advance(gathering, gathering.applications_close_at + SECOND, drawn_by=organiser)

    assert Draw.objects.get(gathering=gathering).drawn_by == organiser


def test_a_draw_is_refused_a_second_time_by_the_database():
    gathering, _ = gathering_drawn()

    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Draw.objects.create(gathering=gathering, algorithm="moim-draw-v1", record={})


# --------------------------------------------------------------------------
# Offers expire, seats pass on, the cut-off
# --------------------------------------------------------------------------


def test_offer_expires_at_its_deadline_and_not_before():
    gathering, _ = gathering_drawn(capacity=1, applicants=3)
    winner = by_rank(gathering)[0]

    advance(gathering, winner.offer_expires_at - SECOND)
    assert application_of(gathering, winner.member).status == A.OFFERED

    advance(gathering, winner.offer_expires_at)
    assert application_of(gathering, winner.member).status == A.EXPIRED


def test_expired_seat_passes_in_rank_order_with_a_fresh_claim_window():
    gathering, _ = gathering_drawn(capacity=1, applicants=3)
    first, second, third = by_rank(gathering)
    lapse = first.offer_expires_at

    advance(gathering, lapse)

    second.refresh_from_db()
    assert second.status == A.OFFERED
    assert second.offer_expires_at == lapse + gathering.claim_window
    assert waitlist(gathering) == [(1, third.rank)]

    advance(gathering, second.offer_expires_at)

    third.refresh_from_db()
    assert application_of(gathering, second.member).status == A.EXPIRED
    assert third.status == A.OFFERED
    assert third.offer_expires_at == second.offer_expires_at + gathering.claim_window
    assert waitlist(gathering) == []


def test_several_lapsed_offers_pass_to_the_next_ranks_at_once():
    gathering, _ = gathering_drawn(capacity=2, applicants=5)
    ranked = by_rank(gathering)

    advance(gathering, ranked[0].offer_expires_at)

    statuses = [a.status for a in by_rank(gathering)]
    assert statuses == [A.EXPIRED, A.EXPIRED, A.OFFERED, A.OFFERED, A.WAITLISTED]
    assert waitlist(gathering) == [(1, 5)]


def test_a_fresh_claim_window_never_runs_past_the_start():
    gathering, _ = gathering_drawn(
        capacity=1, applicants=2, claim_window=timedelta(days=3, hours=12)
    )
    first, second = by_rank(gathering)
    # The draw's offer runs to close + 3.5 days = half a day before the start.
    advance(gathering, first.offer_expires_at)

    second.refresh_from_db()
    assert second.status == A.OFFERED
    assert second.offer_expires_at == gathering.starts_at


def test_no_promotion_after_the_offer_cutoff():
    gathering, _ = gathering_drawn(
        capacity=1, applicants=3, claim_window=timedelta(days=3, hours=23)
    )
    winner = by_rank(gathering)[0]
    assert winner.offer_expires_at == gathering.starts_at - timedelta(hours=1)

    advance(gathering, gathering.offer_cutoff_at)
    advance(gathering, winner.offer_expires_at)

    assert [a.status for a in by_rank(gathering)] == [
        A.EXPIRED,
        A.NOT_SELECTED,
        A.NOT_SELECTED,
    ]


def test_waitlisted_are_not_selected_at_the_cutoff_and_not_before():
    gathering, _ = gathering_drawn(capacity=1, applicants=3)
    advance(gathering, gathering.offer_cutoff_at - SECOND)
    assert len(waitlist(gathering)) == 1  # one was promoted on the way

    advance(gathering, gathering.offer_cutoff_at)

    assert waitlist(gathering) == []
    lost = with_status(gathering, A.NOT_SELECTED)
    assert len(lost) == 1
    assert lost[0].waitlist_position is None
    assert notices_to(lost[0].member, "came free in time")


# --------------------------------------------------------------------------
# Lobby, live, ended, cancelled
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "before", "after"),
    [
        ("lobby_at", G.DRAWN, G.LOBBY),
        ("starts_at", G.LOBBY, G.LIVE),
        # Ended, and at that moment the survey opens.
        ("ends_at", G.LIVE, G.SURVEY_OPEN),
    ],
)
def test_gathering_moves_at_its_moment_and_not_before(moment, before, after):
    gathering, _ = gathering_drawn()
    when = getattr(gathering, moment)

    assert advance(gathering, when - SECOND).status == before
    assert advance(gathering, when).status == after


def test_end_expires_remaining_offers_and_turns_waiting_into_not_selected():
    # Nothing ran between the opening and the end (a stopped worker): one
    # late run does it all, and nobody is left holding an offer or waiting.
    gathering = gathering_open(capacity=1)
    apply_all(gathering, members_joined(gathering.community, 3))

    gathering = advance(gathering, gathering.ends_at)

    assert gathering.status == G.SURVEY_OPEN
    assert sorted(a.status for a in by_rank(gathering)) == sorted(
        [A.EXPIRED, A.NOT_SELECTED, A.NOT_SELECTED]
    )
    assert not Application.objects.filter(waitlist_position__isnull=False).exists()
    # Next due: the survey's close.
    assert gathering.next_due_at == gathering.ends_at + timedelta(days=7)


def test_first_come_waiting_applicants_are_not_selected_by_the_end():
    gathering = gathering_open(capacity=1, selection_mode=SelectionMode.FIRST_COME)
    members = members_joined(gathering.community, 2)
    apply_all(gathering, members)

    advance(gathering, gathering.ends_at)

    assert application_of(gathering, members[0]).status == A.CONFIRMED
    assert application_of(gathering, members[1]).status == A.NOT_SELECTED


def test_cancelled_gathering_never_advances():
    gathering = gathering_open()
    apply_all(gathering, members_joined(gathering.community, 3))
    gathering_cancel(gathering=gathering, reason="강사 사정")

    for moment in (
        gathering.applications_close_at,
        gathering.offer_cutoff_at,
        gathering.starts_at,
        gathering.ends_at,
    ):
        gathering = advance(gathering, moment)
        assert gathering.status == G.CANCELLED
        assert gathering.next_due_at is None
    assert not Draw.objects.exists()
    assert set(Application.objects.values_list("status", flat=True)) == {A.CANCELLED}


# --------------------------------------------------------------------------
# Idempotence and the schedule
# --------------------------------------------------------------------------

MOMENTS = [
    "applications_open_at",
    "applications_close_at",
    "first_offer_deadline",
    "link_release_at",
    "offer_cutoff_at",
    "hour_before",
    "lobby_at",
    "starts_at",
    "ends_at",
]


def _moment(gathering: Gathering, name: str):
    if name == "first_offer_deadline":
        return gathering.applications_close_at + gathering.claim_window
    if name == "hour_before":
        return gathering.starts_at - timedelta(hours=1)
    return getattr(gathering, name)


def _walked_to(name: str) -> Gathering:
    """A lottery gathering of 2 seats and 5 applicants, advanced through every
    moment before ``name``; whoever holds an offer confirms it at once, so
    the reminders have attendees to go to."""
    gathering = gathering_open(capacity=2)
    apply_all(gathering, members_joined(gathering.community, 5))
    for earlier in MOMENTS[: MOMENTS.index(name)]:
        when = _moment(gathering, earlier)
        gathering = advance(gathering, when)
        for offered in with_status(gathering, A.OFFERED):
            offer_confirm(member=offered.member, gathering=gathering, now=when)
    return gathering


@pytest.mark.parametrize("name", MOMENTS)
def test_advancing_twice_changes_nothing_more(name):
    gathering = _walked_to(name)
    when = _moment(gathering, name)

    advance(gathering, when)
    once = snapshot(gathering)
    advance(gathering, when)

    assert snapshot(gathering) == once


@pytest.mark.parametrize("name", MOMENTS)
def test_advancing_late_changes_nothing_more_than_on_time(name):
    gathering = _walked_to(name)
    when = _moment(gathering, name)

    advance(gathering, when)
    on_time = snapshot(gathering)
    # Just before whatever falls due next: nothing new.
    following = Gathering.objects.get(pk=gathering.pk).next_due_at
    late = following - SECOND if following else when + timedelta(days=365)
    advance(gathering, late)

    assert snapshot(gathering) == on_time


def test_next_due_at_is_always_the_earliest_future_due_moment():
    gathering = gathering_make(capacity=1)
    starts = gathering.starts_at
    assert gathering.next_due_at == gathering.applications_open_at

    gathering = advance(gathering, gathering.applications_open_at)
    assert gathering.next_due_at == gathering.applications_close_at
    apply_all(gathering, members_joined(gathering.community, 3))

    gathering = advance(gathering, gathering.applications_close_at)
    first_deadline = gathering.applications_close_at + gathering.claim_window
    assert gathering.next_due_at == first_deadline

    gathering = advance(gathering, first_deadline)
    second_deadline = first_deadline + gathering.claim_window
    assert gathering.next_due_at == second_deadline

    promoted = with_status(gathering, A.OFFERED)[0]
    offer_confirm(member=promoted.member, gathering=gathering, now=first_deadline)
    expected = [
        starts - timedelta(hours=24),  # day-before reminder
        gathering.offer_cutoff_at,
        starts - timedelta(hours=1),  # hour-before reminder
        gathering.lobby_at,
        starts,
        gathering.ends_at,
        gathering.ends_at + timedelta(days=7),  # the survey closes
        None,
    ]
    now = first_deadline
    for due in expected:
        gathering = advance(gathering, now)
        assert gathering.next_due_at == due
        now = due


def test_next_due_at_is_none_once_cancelled():
    gathering = gathering_open()

    gathering = gathering_cancel(gathering=gathering, reason="x")

    assert gathering.next_due_at is None


# --------------------------------------------------------------------------
# Reminders and the draw's notices
# --------------------------------------------------------------------------


def _confirmed_gathering():
    """Two confirmed attendees and one waitlisted member."""
    gathering, members = gathering_drawn(capacity=2, applicants=3)
    winners = with_status(gathering, A.OFFERED)
    for winner in winners:
        offer_confirm(
            member=winner.member,
            gathering=gathering,
            now=gathering.applications_close_at + SECOND,
        )
    attendees = [w.member for w in winners]
    others = [m for m in members if m not in attendees]
    return gathering, attendees, others


@pytest.mark.parametrize(
    ("before", "text"),
    [(timedelta(hours=24), DAY_BEFORE_TEXT), (timedelta(hours=1), HOUR_BEFORE_TEXT)],
)
def test_reminder_reaches_each_attendee_once_however_often_advance_runs(before, text):
    gathering, attendees, others = _confirmed_gathering()
    when = gathering.starts_at - before

    for _ in range(3):
        advance(gathering, when)

    for attendee in attendees:
        assert len(notices_to(attendee, text)) == 1
        assert len(mails_to(attendee, text)) == 1
    for other in others:
        assert notices_to(other, text) == []
        assert mails_to(other, text) == []


def test_reminder_is_not_sent_before_its_moment():
    gathering, attendees, _ = _confirmed_gathering()

    advance(gathering, gathering.starts_at - timedelta(hours=24) - SECOND)

    assert not ReminderSent.objects.exists()
    assert notices_to(attendees[0], "Reminder") == []


def test_both_reminders_go_out_once_each_over_the_whole_run_up():
    gathering, attendees, _ = _confirmed_gathering()
    starts = gathering.starts_at

    for when in (starts - timedelta(hours=24), starts - timedelta(hours=1)):
        for _ in range(3):
            advance(gathering, when)
    advance(gathering, starts)

    kinds = ReminderSent.objects.values_list("kind", flat=True)
    # The link opens with the day-before reminder (the default release, 24 h
    # before): its push is marked sent once too.
    assert sorted(kinds) == sorted(
        [ReminderKind.DAY_BEFORE, ReminderKind.HOUR_BEFORE, ReminderKind.LINK_RELEASE]
        * 2
    )
    for attendee in attendees:
        assert len(notices_to(attendee, DAY_BEFORE_TEXT)) == 1
        assert len(notices_to(attendee, HOUR_BEFORE_TEXT)) == 1


def test_a_run_after_the_start_sends_no_reminder():
    gathering, attendees, _ = _confirmed_gathering()

    advance(gathering, gathering.starts_at + SECOND)

    assert not ReminderSent.objects.exists()
    for attendee in attendees:
        assert notices_to(attendee, "Reminder") == []
        assert mails_to(attendee, "Reminder") == []


def test_draw_notices_reach_every_applicant_once():
    gathering, _ = gathering_drawn(capacity=2, applicants=5)

    for application in by_rank(gathering):
        member = application.member
        if application.status == A.OFFERED:
            assert len(notices_to(member, "You won a seat")) == 1
            assert len(mails_to(member, "You won a seat")) == 1
            assert notices_to(member, "on the waitlist") == []
        else:
            position = application.waitlist_position
            text = f"you are number {position} on the waitlist"
            assert len(notices_to(member, text)) == 1
            assert len(mails_to(member, text)) == 1
            assert notices_to(member, "You won a seat") == []
    assert Draw.objects.get(gathering=gathering).notices_sent_at is not None


def test_draw_notices_are_sent_once_however_often_the_job_runs():
    gathering, _ = gathering_drawn(capacity=2, applicants=5)
    notifications, mails = Notification.objects.count(), len(mail.outbox)

    assert draw_notices_send(gathering_id=gathering.pk) == 0
    assert draw_notices_send(gathering_id=gathering.pk) == 0

    assert Notification.objects.count() == notifications
    assert len(mail.outbox) == mails


# --------------------------------------------------------------------------
# Fairness weights
# --------------------------------------------------------------------------


def _past(community, *, days_ago: int, status: str, member, attended=None):
    """An application of ``member`` to a gathering of ``community`` that
    ended ``days_ago`` days before the draw under test (written directly: the
    services refuse to create a gathering in the past)."""
    draw_at = _DRAW_AT[community.pk]
    ends = draw_at - timedelta(days=days_ago)
    past = Gathering.objects.create(
        community=community,
        title="지난 모임",
        starts_at=ends - timedelta(hours=2),
        ends_at=ends,
        applications_open_at=ends - timedelta(days=10),
        applications_close_at=ends - timedelta(days=5),
        capacity=1,
        status=G.ENDED,
        created_by=member,
    )
    return Application.objects.create(
        gathering=past, member=member, status=status, attended=attended
    )


_DRAW_AT: dict[int, object] = {}


@pytest.fixture
def weighed():
    """A gathering about to close and a function giving one member's weight
    in its draw; past applications are added with ``_past``."""
    gathering = gathering_open()
    _DRAW_AT[gathering.community_id] = gathering.applications_close_at

    def weight_of(member) -> int:
        application = (
            Application.objects.filter(gathering=gathering, member=member).first()
            or apply_all(gathering, [member])[0]
        )
        weights = weights_compute(
            gathering, [application], gathering.applications_close_at
        )
        return weights[application.pk]

    yield gathering, weight_of
    _DRAW_AT.clear()


def test_a_newcomer_weighs_the_base(weighed):
    gathering, weight_of = weighed

    assert weight_of(members_joined(gathering.community, 1)[0]) == 10


@pytest.mark.parametrize(("losses", "weight"), [(1, 15), (2, 20), (3, 25), (5, 25)])
def test_each_earlier_loss_adds_five_up_to_three_losses(weighed, losses, weight):
    gathering, weight_of = weighed
    member = members_joined(gathering.community, 1)[0]
    for i in range(losses):
        _past(
            gathering.community, days_ago=10 + i, status=A.NOT_SELECTED, member=member
        )

    assert weight_of(member) == weight


def test_only_losses_since_the_last_seat_count(weighed):
    gathering, weight_of = weighed
    member = members_joined(gathering.community, 1)[0]
    community = gathering.community
    _past(community, days_ago=300, status=A.NOT_SELECTED, member=member)
    _past(community, days_ago=200, status=A.NOT_SELECTED, member=member)
    _past(community, days_ago=150, status=A.CONFIRMED, member=member, attended=True)
    _past(community, days_ago=100, status=A.NOT_SELECTED, member=member)

    assert weight_of(member) == 15


def test_a_recent_no_show_halves_the_weight_whatever_the_losses(weighed):
    gathering, weight_of = weighed
    member = members_joined(gathering.community, 1)[0]
    community = gathering.community
    _past(community, days_ago=89, status=A.CONFIRMED, member=member, attended=False)
    _past(community, days_ago=30, status=A.NOT_SELECTED, member=member)

    assert weight_of(member) == 5


def test_a_no_show_counts_for_ninety_days_only(weighed):
    gathering, weight_of = weighed
    member = members_joined(gathering.community, 1)[0]
    _past(
        gathering.community,
        days_ago=91,
        status=A.CONFIRMED,
        member=member,
        attended=False,
    )

    assert weight_of(member) == 10


def test_an_attended_seat_is_no_penalty(weighed):
    gathering, weight_of = weighed
    member = members_joined(gathering.community, 1)[0]
    _past(
        gathering.community,
        days_ago=5,
        status=A.CONFIRMED,
        member=member,
        attended=True,
    )

    assert weight_of(member) == 10


def test_other_communities_history_is_ignored(weighed):
    gathering, weight_of = weighed
    member = members_joined(gathering.community, 1)[0]
    elsewhere = community_create()
    _DRAW_AT[elsewhere.pk] = _DRAW_AT[gathering.community_id]
    _past(elsewhere, days_ago=5, status=A.CONFIRMED, member=member, attended=False)
    for days in (10, 20, 30):
        _past(elsewhere, days_ago=days, status=A.NOT_SELECTED, member=member)

    assert weight_of(member) == 10


def test_the_draw_applies_and_publishes_the_policy_committed_at_opening(weighed):
    """A policy changed after the opening (here: a bigger loss bonus) does
    not reach the draw: the weights follow the terms committed then."""
    gathering, _ = weighed
    community = gathering.community
    FairnessPolicy.objects.create(community=community, loss_bonus=7, company_cap=None)
    newcomer, loser, no_show = members_joined(community, 3)
    _past(community, days_ago=10, status=A.NOT_SELECTED, member=loser)
    _past(community, days_ago=10, status=A.CONFIRMED, member=no_show, attended=False)
    apply_all(gathering, [newcomer, loser, no_show])

    advance(gathering, gathering.applications_close_at)

    record = Draw.objects.get(gathering=gathering).record
    weights = {e["public_id"]: e["weight"] for e in record["entries"]}
    assert weights == {
        application_of(gathering, newcomer).public_id: 10,
        application_of(gathering, loser).public_id: 15,
        application_of(gathering, no_show).public_id: 5,
    }
    assert record["terms"]["weights"]["loss_bonus"] == 5
    assert record["gathering"]["policy"] == {
        "base_weight": 10,
        "loss_bonus": 5,
        "loss_cap": 3,
        "no_show_weight": 5,
        "no_show_days": 90,
        "company_cap": None,
    }
    assert application_of(gathering, loser).weight == 15


# --------------------------------------------------------------------------
# The draw record verifies, and tampering is detected
# --------------------------------------------------------------------------


def test_draw_record_verifies_and_reveals_the_committed_seed():
    gathering, _ = gathering_drawn(capacity=2, applicants=6)

    record = Draw.objects.get(gathering=gathering).record

    assert algorithm.verify(record) == []
    assert record["commitment"] == gathering.draw_commitment
    assert record["frozen_digest"] == gathering.frozen_digest
    assert record["capacity"] == 2


def _tamper_rank(record):
    first, second = record["entries"][0], record["entries"][1]
    first["rank"], second["rank"] = second["rank"], first["rank"]


def _tamper_weight(record):
    record["entries"][-1]["weight"] += 10


def _tamper_seed(record):
    record["seed"] = "00" * 32


def _tamper_outcome(record):
    record["entries"][-1]["outcome"] = "won"
    record["entries"][-1]["waitlist_position"] = None


@pytest.mark.parametrize(
    "tamper", [_tamper_rank, _tamper_weight, _tamper_seed, _tamper_outcome]
)
def test_tampered_draw_record_fails_verification(tamper):
    gathering, _ = gathering_drawn(capacity=2, applicants=6)
    record = copy.deepcopy(Draw.objects.get(gathering=gathering).record)

    tamper(record)

    assert algorithm.verify(record) != []

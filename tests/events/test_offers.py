"""Seat offers, the waitlist and withdrawals (events.services.offers and
events.services.applications): what a member may do with their application
in each status, how a seat given back passes on, and first-come seats."""

from datetime import timedelta

import pytest

from events.errors import EventsError
from events.models import (
    Application,
    ApplicationStatus,
    GatheringStatus,
    JoinPass,
    SelectionMode,
)
from events.services.applications import application_submit, application_withdraw
from events.services.offers import offer_confirm, offer_decline
from tests.events.factories import (
    SECOND,
    advance,
    application_of,
    apply_all,
    by_rank,
    gathering_drawn,
    gathering_open,
    members_joined,
    notices_to,
    waitlist,
    with_status,
)

pytestmark = pytest.mark.django_db

A = ApplicationStatus
ALL_STATUSES = list(ApplicationStatus)
WITHDRAWABLE = [A.APPLIED, A.OFFERED, A.CONFIRMED, A.WAITLISTED]


@pytest.fixture
def drawn():
    """A lottery gathering of 2 seats, 5 applicants, drawn at the close;
    ``now`` is one minute after the draw."""
    gathering, _ = gathering_drawn(capacity=2, applicants=5)
    return gathering, gathering.applications_close_at + timedelta(minutes=1)


def _forced(gathering, status):
    """The top-ranked application, put in ``status`` directly (a matrix
    over statuses; the lifecycle's own paths are tested below)."""
    application = by_rank(gathering)[0]
    Application.objects.filter(pk=application.pk).update(status=status)
    return application


# --------------------------------------------------------------------------
# Every action at every status
# --------------------------------------------------------------------------


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_only_an_offered_seat_can_be_confirmed(drawn, status):
    gathering, now = drawn
    application = _forced(gathering, status)

    if status == A.OFFERED:
        confirmed = offer_confirm(
            member=application.member, gathering=gathering, now=now
        )
        assert confirmed.status == A.CONFIRMED
        assert confirmed.confirmed_at == now
        assert confirmed.offer_expires_at is None
        assert JoinPass.objects.get(application=confirmed).revoked_at is None
    else:
        with pytest.raises(EventsError) as refused:
            offer_confirm(member=application.member, gathering=gathering, now=now)
        assert refused.value.code == "no_offer"
        assert application_of(gathering, application.member).status == status


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_only_an_offered_seat_can_be_declined(drawn, status):
    gathering, now = drawn
    application = _forced(gathering, status)

    if status == A.OFFERED:
        declined = offer_decline(
            member=application.member, gathering=gathering, now=now
        )
        assert declined.status == A.DECLINED
        assert declined.offer_expires_at is None
    else:
        with pytest.raises(EventsError) as refused:
            offer_decline(member=application.member, gathering=gathering, now=now)
        assert refused.value.code == "no_offer"
        assert application_of(gathering, application.member).status == status


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_withdrawal_is_possible_while_applied_offered_confirmed_or_waiting(
    drawn, status
):
    gathering, now = drawn
    application = _forced(gathering, status)

    if status in WITHDRAWABLE:
        withdrawn = application_withdraw(
            member=application.member, gathering=gathering, now=now
        )
        assert withdrawn.status == A.WITHDRAWN
        assert withdrawn.waitlist_position is None
        assert withdrawn.offer_expires_at is None
    else:
        with pytest.raises(EventsError) as refused:
            application_withdraw(
                member=application.member, gathering=gathering, now=now
            )
        assert refused.value.code == "cannot_withdraw"
        assert application_of(gathering, application.member).status == status


@pytest.mark.parametrize("action", [offer_confirm, offer_decline, application_withdraw])
def test_a_member_without_an_application_has_nothing_to_answer(drawn, action):
    gathering, now = drawn
    stranger = members_joined(gathering.community, 1)[0]

    with pytest.raises(EventsError):
        action(member=stranger, gathering=gathering, now=now)


def test_no_withdrawal_once_the_gathering_has_started(drawn):
    gathering, _ = drawn
    winner = by_rank(gathering)[0]
    offer_confirm(
        member=winner.member,
        gathering=gathering,
        now=gathering.applications_close_at + SECOND,
    )

    with pytest.raises(EventsError) as refused:
        application_withdraw(
            member=winner.member, gathering=gathering, now=gathering.starts_at
        )

    assert refused.value.code == "cannot_withdraw"
    assert application_of(gathering, winner.member).status == A.CONFIRMED


# --------------------------------------------------------------------------
# Seats given back pass on
# --------------------------------------------------------------------------


def test_withdrawing_a_confirmed_seat_passes_it_to_the_next_in_rank(drawn):
    gathering, now = drawn
    first, _, third, fourth, fifth = by_rank(gathering)
    offer_confirm(member=first.member, gathering=gathering, now=now)

    later = now + timedelta(hours=3)
    application_withdraw(member=first.member, gathering=gathering, now=later)

    third.refresh_from_db()
    assert third.status == A.OFFERED
    assert third.offer_expires_at == later + gathering.claim_window
    assert waitlist(gathering) == [(1, fourth.rank), (2, fifth.rank)]
    assert notices_to(third.member, "is yours if you confirm")


def test_withdrawing_a_confirmed_seat_revokes_its_join_pass(drawn):
    gathering, now = drawn
    first = by_rank(gathering)[0]
    offer_confirm(member=first.member, gathering=gathering, now=now)

    application_withdraw(member=first.member, gathering=gathering, now=now)

    assert JoinPass.objects.get(application=first).revoked_at == now


def test_declining_passes_the_seat_on_at_once_with_a_fresh_window(drawn):
    gathering, now = drawn
    first, second, third, _, _ = by_rank(gathering)

    offer_decline(member=first.member, gathering=gathering, now=now)

    third.refresh_from_db()
    assert third.status == A.OFFERED
    assert third.offer_expires_at == now + gathering.claim_window
    assert application_of(gathering, second.member).status == A.OFFERED
    assert [p for p, _ in waitlist(gathering)] == [1, 2]


def test_withdrawing_from_the_waitlist_moves_those_behind_up(drawn):
    gathering, now = drawn
    _, _, third, fourth, fifth = by_rank(gathering)

    application_withdraw(member=third.member, gathering=gathering, now=now)

    assert waitlist(gathering) == [(1, fourth.rank), (2, fifth.rank)]
    assert len(with_status(gathering, A.OFFERED)) == 2


def test_an_offer_cannot_be_confirmed_at_or_after_its_deadline(drawn):
    gathering, _ = drawn
    first, second = by_rank(gathering)[:2]
    deadline = first.offer_expires_at

    with pytest.raises(EventsError) as refused:
        offer_confirm(member=first.member, gathering=gathering, now=deadline)
    confirmed = offer_confirm(
        member=second.member, gathering=gathering, now=deadline - SECOND
    )

    assert refused.value.code == "offer_expired"
    assert application_of(gathering, first.member).status == A.OFFERED
    assert confirmed.status == A.CONFIRMED


def test_a_seat_given_back_after_the_cutoff_stays_empty(drawn):
    gathering, now = drawn
    first = by_rank(gathering)[0]
    offer_confirm(member=first.member, gathering=gathering, now=now)
    advance(gathering, gathering.offer_cutoff_at)

    application_withdraw(
        member=first.member, gathering=gathering, now=gathering.offer_cutoff_at
    )

    # The cut-off also let the second winner's unanswered offer lapse and
    # closed the waitlist: nobody holds or waits for a seat any more.
    assert with_status(gathering, A.CONFIRMED) == []
    assert with_status(gathering, A.OFFERED) == []
    assert len(with_status(gathering, A.NOT_SELECTED)) == 3


# --------------------------------------------------------------------------
# First come, first served
# --------------------------------------------------------------------------


@pytest.fixture
def first_come():
    gathering = gathering_open(capacity=2, selection_mode=SelectionMode.FIRST_COME)
    return gathering, members_joined(gathering.community, 5)


def test_first_come_seats_go_in_arrival_order_and_never_beyond_capacity(first_come):
    gathering, members = first_come

    applications = apply_all(gathering, members)

    assert [a.status for a in applications] == [
        A.CONFIRMED,
        A.CONFIRMED,
        A.WAITLISTED,
        A.WAITLISTED,
        A.WAITLISTED,
    ]
    assert Application.objects.filter(status=A.CONFIRMED).count() == 2
    assert all(
        JoinPass.objects.filter(application=a).exists() for a in applications[:2]
    )


def test_first_come_waitlist_follows_arrival_order(first_come):
    gathering, members = first_come

    apply_all(gathering, members)

    assert [application_of(gathering, m).waitlist_position for m in members] == [
        None,
        None,
        1,
        2,
        3,
    ]


def test_first_come_withdrawal_promotes_the_first_waiting(first_come):
    gathering, members = first_come
    apply_all(gathering, members)
    now = gathering.applications_open_at + timedelta(hours=1)

    application_withdraw(member=members[0], gathering=gathering, now=now)

    promoted = application_of(gathering, members[2])
    assert promoted.status == A.OFFERED
    assert promoted.offer_expires_at == now + gathering.claim_window
    assert [application_of(gathering, m).waitlist_position for m in members[3:]] == [
        1,
        2,
    ]


def test_first_come_newcomer_waits_while_a_seat_is_on_offer(first_come):
    gathering, members = first_come
    apply_all(gathering, members[:3])
    now = gathering.applications_open_at + timedelta(hours=1)
    application_withdraw(member=members[0], gathering=gathering, now=now)

    late = application_submit(member=members[3], gathering=gathering, now=now)

    assert late.status == A.WAITLISTED
    assert late.waitlist_position == 1


# --------------------------------------------------------------------------
# Applying again
# --------------------------------------------------------------------------


def test_reapplying_after_withdrawal_while_open_reuses_the_same_row():
    gathering = gathering_open()
    member = members_joined(gathering.community, 1)[0]
    at = gathering.applications_open_at + timedelta(minutes=1)
    first = application_submit(member=member, gathering=gathering, now=at)
    application_withdraw(member=member, gathering=gathering, now=at + SECOND)

    again = application_submit(
        member=member, gathering=gathering, now=at + 2 * SECOND, motivation="다시"
    )

    assert again.pk == first.pk
    assert again.public_id == first.public_id
    assert again.status == A.APPLIED
    assert again.created_at == at + 2 * SECOND
    assert Application.objects.filter(member=member).count() == 1


def test_reapplying_first_come_joins_the_back_of_the_waitlist(first_come):
    gathering, members = first_come
    apply_all(gathering, members[:4])
    now = gathering.applications_open_at + timedelta(hours=1)
    application_withdraw(member=members[3], gathering=gathering, now=now)
    application_submit(member=members[4], gathering=gathering, now=now + SECOND)

    again = application_submit(
        member=members[3], gathering=gathering, now=now + 2 * SECOND
    )

    assert again.status == A.WAITLISTED
    assert waitlist(gathering) == [(1, None), (2, None), (3, None)]
    assert again.waitlist_position == 3


def test_applying_twice_is_refused():
    gathering = gathering_open()
    member = members_joined(gathering.community, 1)[0]
    apply_all(gathering, [member])

    with pytest.raises(EventsError) as refused:
        apply_all(gathering, [member])

    assert refused.value.code == "already_applied"
    assert Application.objects.filter(member=member).count() == 1


def test_reapplying_after_the_close_is_refused():
    gathering = gathering_open()
    member = members_joined(gathering.community, 1)[0]
    apply_all(gathering, [member])
    closes = gathering.applications_close_at
    application_withdraw(member=member, gathering=gathering, now=closes - SECOND)
    advance(gathering, closes)

    with pytest.raises(EventsError) as refused:
        application_submit(member=member, gathering=gathering, now=closes)

    assert refused.value.code == "not_open"
    assert application_of(gathering, member).status == A.WITHDRAWN
    assert gathering.status == GatheringStatus.OPEN  # the stale copy

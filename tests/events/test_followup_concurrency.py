"""The follow-up under real concurrency on PostgreSQL (threads with their
own connections, released together): workers running the job at once ask
nobody twice, and answers racing the close are either counted or refused,
never lost. SQLite serialises writers, so this runs only on PostgreSQL
(see tests/conftest.py)."""

from datetime import timedelta

import pytest
from django.core import mail

from community.access import access_for
from events.models import FollowUp, FollowUpOutcome, FollowUpRound
from events.services.followups import followup_answer, followups_run
from events.services.path import takeaway_save
from tests.events.factories import gathering_followed_up, gathering_held
from tests.events.test_concurrency import run_at_once, unexpected

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_workers_running_the_job_at_once_ask_each_member_once():
    gathering, members = gathering_held(attendees=4)
    for member in members:
        takeaway_save(member=member, gathering=gathering, learned="배운 점")
    now = gathering.ends_at + timedelta(days=30)

    outcomes = run_at_once([lambda: followups_run(now=now) for _ in range(10)])

    assert unexpected(outcomes, set()) == []
    assert FollowUpRound.objects.filter(gathering=gathering).count() == 1
    assert FollowUp.objects.filter(round__gathering=gathering).count() == 4
    for member in members:
        asked = [
            m
            for m in mail.outbox
            if member.email in m.to and "Did you apply it?" in m.body
        ]
        assert len(asked) == 1


def test_answers_racing_the_close_are_counted_or_refused_never_lost():
    gathering, members, round = gathering_followed_up(attendees=8)
    just_before = round.closes_at - timedelta(seconds=1)

    outcomes = run_at_once(
        [
            lambda m=m: followup_answer(
                access=access_for(m, gathering.community),
                gathering=gathering,
                answer="applied",
                now=just_before,
            )
            for m in members
        ]
        + [lambda: followups_run(now=round.closes_at)]
    )

    assert unexpected(outcomes, {"followup_closed"}) == []
    round.refresh_from_db()
    answered = FollowUp.objects.filter(round=round, box__isnull=False).count()
    assert round.closed and round.answered_count == answered
    kept = answered if answered >= round.min_answers else 0
    assert FollowUpOutcome.objects.filter(round=round).count() == kept

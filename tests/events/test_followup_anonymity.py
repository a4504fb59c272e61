"""docs/anonymity.md's threat model, played out against the follow-up's
counts ("The follow-up"): the survey's database reader
(tests/events/test_anonymity.py, its strategies reused) reads every table
and column, system columns included (SQLite's rowid; PostgreSQL's ctid,
xmin and cmin), after attendees answered one after another, each answer
committed on its own as in production, and tries to tie the organisers'
anonymous outcomes to the members' own copies (whose rows name the member
and move, on every answer, in arrival order).

An outcome holds only one of three answers, so a pairing is right by
chance far more often than a survey's marked text: the members answer in
three blocks of arrival (20 "applied", then 20 "partly", then 20 "not
yet"), so that a storage following arrival pairs all 60 while a shuffled
one pairs about 20 (at most 37 in 300,000 random orders; the test allows
40). A control experiment stores the outcomes as they arrive and shows this
attacker pairs all of them then.
"""

from datetime import timedelta

import pytest
from django.db import connection, transaction

from community.access import access_for
from events.models import FollowUp, FollowUpOutcome, FollowUpRound
from events.services.followups import followup_answer, followups_run
from tests.events.factories import gathering_followed_up
from tests.events.test_anonymity import best_pairing, read_table, table_columns

ANSWERS = 60
BLOCKS = ["applied"] * 20 + ["partly"] * 20 + ["not_yet"] * 20
# Right pairs a strategy may find by chance (about 20 expected; 40 lies
# beyond every one of 300,000 simulated random orders).
CHANCE_LIMIT = 40


@pytest.mark.django_db
def test_the_outcome_table_has_the_answer_the_round_and_a_random_key_only():
    assert table_columns(FollowUpOutcome) == {"id", "round_id", "answer"}
    assert table_columns(FollowUp) == {"id", "round_id", "member_id", "box"}
    key = FollowUpOutcome._meta.pk
    assert key.get_internal_type() == "UUIDField"
    assert key.default.__name__ == "random_key"


def _answer_in_arrival_order(gathering, members, round) -> dict[int, str]:
    truth = {}
    for index, (member, answer) in enumerate(zip(members, BLOCKS, strict=True)):
        followup_answer(
            access=access_for(member, gathering.community),
            gathering=gathering,
            answer=answer,
            note=f"member-{member.pk}",
            now=round.asked_at + timedelta(minutes=index),
        )
        truth[member.pk] = answer
    return truth


def _read(round):
    outcomes = read_table("events_followupoutcome", "answer", round.pk, "round_id")
    copies = read_table("events_followup", "member_id", round.pk, "round_id")
    return outcomes, copies


@pytest.mark.django_db(transaction=True)
def test_the_database_reader_ties_outcomes_to_members_no_better_than_chance():
    gathering, members, round = gathering_followed_up(attendees=ANSWERS)
    truth = _answer_in_arrival_order(gathering, members, round)

    # While the question is open the reader sees who answered and, next to
    # it, boxes of one size that they cannot open; no outcome yet.
    boxes = read_table("events_followup", "box", round.pk, "round_id")
    assert len({len(bytes(b.value)) for b in boxes}) == 1
    assert all(b"member-" not in bytes(b.value) for b in boxes)
    assert all(b"applied" not in bytes(b.value) for b in boxes)
    assert not FollowUpOutcome.objects.exists()

    followups_run(now=round.closes_at)
    outcomes, copies = _read(round)
    found = best_pairing(
        outcomes, copies, lambda answer, member_id: answer == truth[member_id]
    )

    assert len(outcomes) == len(copies) == ANSWERS
    assert max(found.values()) <= CHANCE_LIMIT, found
    if connection.vendor == "postgresql":
        # One transaction wrote every outcome, and no member's copy.
        assert found["same transaction"] == 0
        assert len({o.keys["xmin"] for o in outcomes}) == 1


@pytest.mark.django_db(transaction=True)
def test_control_the_same_reader_ties_outcomes_stored_as_they_arrive():
    """Had each answer written its outcome in its own transaction, as it
    arrived, every strategy based on physical order would tie them all."""
    _gathering, members, round = gathering_followed_up(attendees=ANSWERS)
    truth = {}
    for member, answer in zip(members, BLOCKS, strict=True):
        with transaction.atomic():
            FollowUp.objects.filter(round=round, member=member).update(box=b"x")
            FollowUpOutcome.objects.create(round=round, answer=answer)
        truth[member.pk] = answer

    outcomes, copies = _read(round)
    found = best_pairing(
        outcomes, copies, lambda answer, member_id: answer == truth[member_id]
    )

    assert max(found.values()) == ANSWERS
    if connection.vendor == "postgresql":
        assert found["same transaction"] == ANSWERS


@pytest.mark.django_db
def test_below_k_no_table_holds_an_answer_after_the_close():
    gathering, members, round = gathering_followed_up(attendees=3)
    followup_answer(
        access=access_for(members[0], gathering.community),
        gathering=gathering,
        answer="not_yet",
        note="혼자 남긴 솔직한 메모",
    )

    followups_run(now=round.closes_at)

    tables = [
        t
        for t in connection.introspection.table_names()
        if t.startswith("events_followup")
    ]
    with connection.cursor() as cursor:
        rows = []
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            rows.extend(cursor.fetchall())
    text = " ".join(
        bytes(v).decode("latin-1") if isinstance(v, (bytes, memoryview)) else str(v)
        for row in rows
        for v in row
    )
    assert "not_yet" not in text and "솔직한" not in text
    assert FollowUpRound.objects.get(pk=round.pk).answered_count == 1

"""docs/anonymity.md's threat model, played out: a reader of every table and
column, system columns included (SQLite's rowid; PostgreSQL's ctid, xmin and
cmin), tries to tie responses to the members who answered, after a series of
submissions, each committed on its own as in production.

The attacker's strategies: pair the responses, sorted by each physical or
stored key, with the participations sorted by arrival (id, physical
position, transaction id), both ways round, and join rows written by the
same transaction. Under a random order the number of right pairs of any
one strategy is about Poisson(1); the test allows at most 7 of 40
(P ≈ 1e-5 for each strategy by chance, while a storage that follows arrival
gives 40 of 40). A control experiment stores the same responses in arrival
order and shows that this attacker does find them then.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection, transaction

from events.models import (
    SealedResponse,
    Survey,
    SurveyParticipation,
    SurveyResponse,
)
from events.services.surveys import response_submit
from tests.events.factories import advance, gathering_held, survey_answers

RESPONSES = 40
# Right pairs a strategy may find by chance (P(Poisson(1) >= 8) ~ 1e-5).
CHANCE_LIMIT = 7


def table_columns(model) -> set[str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(
            cursor, model._meta.db_table
        )
    return {column.name for column in description}


@pytest.mark.django_db
def test_the_response_table_has_the_answers_the_survey_and_a_random_key_only():
    from events.models import SurveyInvitation

    assert table_columns(SurveyResponse) == {"id", "survey_id", "answers"}
    assert table_columns(SealedResponse) == {"id", "survey_id", "box"}
    assert table_columns(SurveyParticipation) == {"id", "survey_id", "member_id"}
    assert table_columns(SurveyInvitation) == {"id", "survey_id", "member_id"}
    for model in (SurveyResponse, SealedResponse):
        key = model._meta.pk
        assert key.get_internal_type() == "UUIDField"
        assert key.default.__name__ == "random_key"


# --- The database reader -----------------------------------------------------------


@dataclass
class Row:
    """One row as the reader sees it: its stored values and system columns."""

    keys: dict
    value: object


def _physical_columns() -> tuple[str, dict]:
    if connection.vendor == "postgresql":
        return (
            "ctid::text, xmin::text::bigint, cmin::text::bigint",
            {"ctid": 0, "xmin": 1, "cmin": 2},
        )
    return "rowid", {"rowid": 0}


def _ctid(text: str) -> tuple[int, int]:
    block, offset = text.strip("()").split(",")
    return int(block), int(offset)


def read_table(
    table: str, value_column: str, survey_id: int, key_column: str = "survey_id"
) -> list[Row]:
    """The rows of ``table`` whose ``key_column`` is ``survey_id`` (a
    follow-up round's id for the follow-up's tables), as the reader sees
    them."""
    physical, names = _physical_columns()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {physical}, id, {value_column} FROM {table} "
            f"WHERE {key_column} = %s",
            [survey_id],
        )
        rows = []
        for record in cursor.fetchall():
            keys = {name: record[index] for name, index in names.items()}
            if "ctid" in keys:
                keys["ctid"] = _ctid(keys["ctid"])
            keys["id"] = str(record[len(names)])
            rows.append(Row(keys=keys, value=record[len(names) + 1]))
    return rows


def best_pairing(
    responses: list[Row], participations: list[Row], truth
) -> dict[str, int]:
    """Right pairs found by each strategy; ``truth(response_value,
    member_id)`` says whether a pair is right."""
    found = {}
    for r_key in responses[0].keys:
        for p_key in participations[0].keys:
            for reverse in (False, True):
                by_r = sorted(responses, key=lambda r: r.keys[r_key], reverse=reverse)
                by_p = sorted(participations, key=lambda p: p.keys[p_key])
                found[f"{r_key}{'↓' if reverse else '↑'}~{p_key}"] = sum(
                    truth(r.value, p.value) for r, p in zip(by_r, by_p, strict=True)
                )
    if "xmin" in responses[0].keys:
        by_xmin = {p.keys["xmin"]: p for p in participations}
        found["same transaction"] = sum(
            truth(r.value, by_xmin[r.keys["xmin"]].value)
            for r in responses
            if r.keys["xmin"] in by_xmin
        )
    return found


def _marker(member_id: int) -> str:
    return f"member-{member_id}"


def _truth(answers, member_id) -> bool:
    if isinstance(answers, str):
        import json

        answers = json.loads(answers)
    return answers.get("useful") == _marker(member_id)


def _submit_in_arrival_order(gathering, members) -> None:
    now = Survey.objects.get(gathering=gathering).opens_at + timedelta(minutes=1)
    for index, member in enumerate(members):
        response_submit(
            member=member,
            gathering=gathering,
            answers=survey_answers(
                1 + index % 5, useful=_marker(member.pk), again="yes"
            ),
            now=now + timedelta(seconds=index),
        )


@pytest.mark.django_db(transaction=True)
def test_the_database_reader_pairs_responses_and_members_no_better_than_chance():
    gathering, members = gathering_held(attendees=RESPONSES)
    _submit_in_arrival_order(gathering, members)
    survey = Survey.objects.get(gathering=gathering)

    # While the survey is open the reader sees who answered and, next to
    # it, only boxes they cannot open.
    boxes = read_table("events_sealedresponse", "box", survey.pk)
    assert len(boxes) == RESPONSES
    assert all(b"member-" not in bytes(box.value) for box in boxes)

    advance(gathering, survey.closes_at)
    responses = read_table("events_surveyresponse", "answers", survey.pk)
    participations = read_table("events_surveyparticipation", "member_id", survey.pk)
    found = best_pairing(responses, participations, _truth)

    assert len(responses) == len(participations) == RESPONSES
    assert max(found.values()) <= CHANCE_LIMIT, found
    if connection.vendor == "postgresql":
        # One transaction wrote every response: none shares one with a
        # participation.
        assert found["same transaction"] == 0
        assert len({r.keys["xmin"] for r in responses}) == 1


@pytest.mark.django_db(transaction=True)
def test_control_the_same_reader_finds_responses_stored_in_arrival_order():
    """The attacker is not toothless: had the responses been written as
    they arrived, each in its own transaction, every strategy based on
    physical order would pair them all."""
    gathering, members = gathering_held(attendees=RESPONSES)
    survey = Survey.objects.get(gathering=gathering)
    for member in members:
        with transaction.atomic():
            SurveyParticipation.objects.create(survey=survey, member=member)
            SurveyResponse.objects.create(
                survey=survey,
                answers=survey_answers(4, useful=_marker(member.pk)),
            )

    responses = read_table("events_surveyresponse", "answers", survey.pk)
    participations = read_table("events_surveyparticipation", "member_id", survey.pk)
    found = best_pairing(responses, participations, _truth)

    assert max(found.values()) == RESPONSES
    if connection.vendor == "postgresql":
        assert found["same transaction"] == RESPONSES


# --- Below k -------------------------------------------------------------------


def _every_row_of_the_survey_tables() -> list[tuple]:
    """Every row and column of every survey table, as a database reader
    sees them."""
    tables = [
        t
        for t in connection.introspection.table_names()
        if t.startswith(("events_survey", "events_sealed"))
    ]
    rows = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            rows.extend((table, *row) for row in cursor.fetchall())
    return rows


@pytest.mark.django_db
def test_below_k_the_database_reader_reads_no_answer_after_the_close():
    """One attendee of three answers: the results never show it, so neither
    does any table (issue 13)."""
    gathering, members = gathering_held(attendees=3)
    survey = Survey.objects.get(gathering=gathering)
    secret = "혼자 남긴 솔직한 답변"
    response_submit(
        member=members[0],
        gathering=gathering,
        answers=survey_answers(2, useful=secret),
        now=survey.opens_at + timedelta(hours=1),
    )

    advance(gathering, survey.closes_at)

    rows = _every_row_of_the_survey_tables()
    assert any(table == "events_survey" for table, *_ in rows)
    assert not any(secret in str(value) for row in rows for value in row)
    assert not any(
        table in {"events_surveyresponse", "events_sealedresponse"}
        for table, *_ in rows
    )
    survey.refresh_from_db()
    assert (survey.response_count, survey.satisfaction_average) == (1, None)

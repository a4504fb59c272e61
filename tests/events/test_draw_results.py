"""What members read of a draw (events/selectors/draws.py, the draw results
page and the gathering page's line about the draw): sentences, not a SHA-256
card and raw JSON (issue 14, defect 6)."""

import hashlib
import json

import pytest
from django.urls import reverse

from events import draw as algorithm
from events.draw_publication import draw_record_hash
from events.models import Application, ApplicationStatus, FairnessPolicy
from events.selectors.draws import weight_reasons
from events.services import gatherings as gathering_services
from tests.events.test_attend_views import (
    _crowd,
    action_url,
    apply,
    close_and_draw,
    detail_url,
    english,
    gathering_make,
    joined,
)
from tests.factories import member_create

pytestmark = pytest.mark.django_db

POLICY = {
    "base_weight": 10,
    "loss_bonus": 5,
    "loss_cap": 3,
    "no_show_weight": 5,
    "no_show_days": 90,
    "company_cap": None,
}


@pytest.fixture
def owner():
    return member_create()


@pytest.fixture
def community(owner):
    from tests.community.forum_data import community_make

    return community_make(owner=owner)


def results_url(gathering) -> str:
    return action_url("draw_results", gathering)


def drawn(community, owner, *, applicants=4, capacity=1):
    """A lottery drawn over ``applicants`` members; returns the gathering
    and the members in the order they applied."""
    gathering = gathering_make(community, by=owner, capacity=capacity)
    members = [joined(community) for _ in range(applicants)]
    for member in members:
        apply(member, gathering)
    return close_and_draw(gathering), members


def application_of(member, gathering) -> Application:
    return Application.objects.get(member=member, gathering=gathering)


# ---------------------------------------------------------------------------
# The results page
# ---------------------------------------------------------------------------


def test_there_are_no_results_before_the_draw(client, community, owner):
    gathering = gathering_make(community, by=owner)
    apply(joined(community), gathering)
    assert client.get(results_url(gathering)).status_code == 404


def test_a_waitlisted_member_reads_their_place_in_a_sentence(client, community, owner):
    gathering, members = drawn(community, owner, applicants=4, capacity=1)
    loser = next(
        m
        for m in members
        if application_of(m, gathering).status == ApplicationStatus.WAITLISTED
    )
    application = application_of(loser, gathering)
    client.force_login(loser)
    text = english(client).get(results_url(gathering)).text
    assert "4 applications for 1 seats." in text
    assert (
        f"You are number {application.waitlist_position} of 3 on the waitlist "
        f"(drawn number {application.rank} of 4)." in text
    )
    assert application.public_id in text
    assert "Everyone starts at weight 1.0" in text


def test_a_winner_reads_that_they_won_and_what_became_of_the_seat(
    client, community, owner
):
    gathering, members = drawn(community, owner, applicants=3, capacity=1)
    winner = next(
        m
        for m in members
        if application_of(m, gathering).status == ApplicationStatus.OFFERED
    )
    client.force_login(winner)
    text = english(client).get(results_url(gathering)).text
    assert "You won a seat: you were drawn number 1 of 3." in text
    assert "Your application now" in text
    assert "Seat offered" in text or "Offered" in text


def test_a_reader_who_did_not_apply_sees_the_results_without_a_place(
    client, community, owner
):
    gathering, _members = drawn(community, owner, applicants=3, capacity=2)
    text = english(client).get(results_url(gathering)).text
    assert "3 applications for 2 seats." in text
    assert "You are number" not in text
    assert "You won a seat" not in text
    for public_id in Application.objects.values_list("public_id", flat=True):
        assert public_id in text


def test_the_weight_is_explained_by_the_policy_in_the_record(client, community, owner):
    FairnessPolicy.objects.create(community=community, loss_bonus=5, loss_cap=3)
    earlier, members = drawn(community, owner, applicants=3, capacity=1)
    # Those two were never offered a seat in the earlier draw: a loss.
    Application.objects.filter(
        gathering=earlier, status=ApplicationStatus.WAITLISTED
    ).update(status=ApplicationStatus.NOT_SELECTED)
    loser = next(
        m
        for m in members
        if application_of(m, earlier).status == ApplicationStatus.NOT_SELECTED
    )
    later = gathering_make(community, by=owner, title="두 번째", capacity=5)
    apply(loser, later)
    close_and_draw(later)
    client.force_login(loser)
    text = english(client).get(results_url(later)).text
    assert "<strong>1.5</strong>" in text
    assert "1.0 to start, plus 0.5 for 1 earlier draw in this community" in text


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        (10, "Everyone starts at weight 1.0"),
        (5, "went unused (a no-show), so your weight is 0.5 instead of 1.0"),
        (20, "plus 0.5 for each of 2 earlier draws"),
        (25, "plus 0.5 for each of 3 earlier draws"),
        (30, "Weight 3.0."),
    ],
)
def test_weight_reasons_follow_the_policy(weight, expected):
    assert expected in " ".join(weight_reasons(weight, POLICY))


def test_the_record_hash_is_the_digest_of_the_record_as_drawn(client, community, owner):
    gathering, _members = drawn(community, owner)
    served = client.get(action_url("draw_record", gathering))
    record = json.loads(served.content)
    drawn_record = {k: v for k, v in record.items() if k != "movements"}
    canonical = json.dumps(
        drawn_record, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    expected = hashlib.sha256(canonical.encode()).hexdigest()
    assert draw_record_hash(record) == expected
    assert expected in client.get(results_url(gathering)).text
    assert algorithm.verify(record) == []
    # The same record is served as the same bytes, again and again.
    assert client.get(action_url("draw_record", gathering)).content == served.content


# ---------------------------------------------------------------------------
# Where the results are linked, and the gathering page's line
# ---------------------------------------------------------------------------


def test_my_gatherings_links_the_readable_results_not_the_raw_record(
    client, community, owner
):
    gathering, members = drawn(community, owner)
    client.force_login(members[0])
    text = client.get(reverse("my_gatherings")).text
    assert results_url(gathering) in text
    assert action_url("draw_record", gathering) not in text


def test_the_gathering_page_says_the_draw_in_one_line_and_folds_the_fingerprints(
    client, community, owner
):
    gathering, members = drawn(community, owner)
    client.force_login(members[0])
    text = english(client).get(detail_url(gathering)).text
    assert results_url(gathering) in text
    assert "See your result and check the draw" in text
    assert "A draw anyone can check" not in text
    start = text.index('id="draw"')
    fold = text.index("<details", start)
    assert gathering.draw_commitment in text[fold:]
    assert gathering.draw_commitment not in text[:fold]


def test_a_gathering_cancelled_before_its_draw_shows_nothing_of_the_draw(
    client, community, owner
):
    gathering = gathering_make(community, by=owner)
    apply(joined(community), gathering)
    gathering = gathering_services.gathering_cancel(
        gathering=gathering, reason="연사 사정"
    )
    text = client.get(detail_url(gathering)).text
    assert gathering.draw_commitment
    assert gathering.draw_commitment not in text
    assert 'id="draw"' not in text


# ---------------------------------------------------------------------------
# Query counts, pinned at two sizes
# ---------------------------------------------------------------------------

# Session, member, community, membership, sanctions, gathering, the record,
# the reader's application, the notifications badge.
RESULTS_QUERIES = 10


@pytest.mark.parametrize("size", [5, 200])
def test_draw_results_query_count_is_constant(
    client, community, owner, django_assert_max_num_queries, size
):
    gathering = gathering_make(community, by=owner, capacity=3)
    viewer = joined(community)
    apply(viewer, gathering)
    _crowd(gathering, size)
    close_and_draw(gathering)
    client.force_login(viewer)
    client.get(results_url(gathering))
    with django_assert_max_num_queries(RESULTS_QUERIES):
        response = client.get(results_url(gathering))
    assert response.status_code == 200
    assert response.text.count("<tr") == size + 2  # the head row and the viewer

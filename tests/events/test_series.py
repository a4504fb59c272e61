"""Repeating a gathering (events.services.series, events.selectors.series):
"the next one from this" copies what an organiser wrote and nothing members
did; a series makes its occurrences eight weeks ahead, once each, each with
its own commitment, and stops when told."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from community.access import access_for
from community.images import COVER, rendition_name
from community.models import MembershipRole, SanctionKind
from community.services.moderation import sanction_impose
from events import recurrence
from events.errors import EventsError
from events.models import (
    Application,
    Gathering,
    GatheringStatus,
    Series,
    SeriesOccurrence,
    Survey,
)
from events.selectors import series_of_gathering
from events.services import gatherings
from events.services import series as series_services
from events.services.survey_setup import survey_settings_update
from tests.events.factories import (
    gathering_drawn,
    gathering_make,
    member_joined,
    organiser_of,
)
from tests.factories import community_create
from tests.pictures import photo, upload

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _ban(community, member, kind=SanctionKind.BAN):
    moderator = organiser_of(community)
    sanction_impose(
        access=access_for(moderator, community),
        member=member,
        kind=kind,
        reason="규칙 위반",
        ends_at=None,
    )


def _template(days=10, **fields):
    community = fields.pop("community", None) or community_create()
    organiser = organiser_of(community)
    start = (timezone.now() + days * DAY).replace(second=0, microsecond=0)
    gathering = gathering_make(
        community=community, organiser=organiser, starts_at=start, **fields
    )
    return gathering, organiser


def _weekly(template, organiser, **kwargs):
    kwargs.setdefault("count", 20)
    return series_services.series_create(
        template=template, rule=recurrence.WEEKLY, created_by=organiser, **kwargs
    )


def _occurrences(series) -> list[Gathering]:
    return [
        o.gathering
        for o in SeriesOccurrence.objects.filter(series=series)
        .select_related("gathering")
        .order_by("index")
    ]


# --- The next one from this ------------------------------------------------------


def test_a_copy_takes_what_the_organiser_wrote_and_nothing_members_did():
    source, _members = gathering_drawn(
        questions=["어떤 채널을 쓰세요?"],
        require_matching_role=True,
        claim_window=timedelta(hours=12),
    )
    organiser = source.created_by
    schedule = series_services.next_schedule(
        source=source, rule=None, now=timezone.now()
    )
    copy = series_services.gathering_copy(
        source=source, created_by=organiser, schedule=schedule
    )
    for name in series_services.COPIED:
        assert getattr(copy, name) == getattr(source, name), name
    assert copy.status == GatheringStatus.DRAFT
    assert copy.published_at is None
    assert copy.draw_seed and copy.draw_seed != source.draw_seed
    assert copy.draw_commitment != source.draw_commitment
    assert copy.terms == {} and copy.frozen_at is None
    assert not Application.objects.filter(gathering=copy).exists()
    assert not hasattr(Gathering.objects.get(pk=copy.pk), "draw")
    assert copy.starts_at == schedule["starts_at"]


def test_a_copy_carries_no_video_link():
    # Anyone confirmed for the source was sent to its link; the copy's seats
    # are drawn anew, so its link must be its own.
    source, _members = gathering_drawn()
    assert source.video_link
    copy = series_services.gathering_copy(
        source=source,
        created_by=source.created_by,
        schedule=series_services.next_schedule(
            source=source, rule=None, now=timezone.now()
        ),
    )
    assert "video_link" not in series_services.COPIED
    assert Gathering.objects.get(pk=copy.pk).video_link == ""


def test_the_next_one_is_proposed_a_week_later_at_the_same_seoul_time():
    source, _organiser = _template(days=10)
    proposed = series_services.next_schedule(
        source=source, rule=None, now=timezone.now()
    )
    assert proposed["starts_at"] - source.starts_at == timedelta(weeks=1)
    assert (
        proposed["applications_close_at"] - proposed["starts_at"]
        == source.applications_close_at - source.starts_at
    )
    assert proposed["ends_at"] - proposed["starts_at"] == (
        source.ends_at - source.starts_at
    )


def test_the_next_one_of_a_long_past_gathering_is_proposed_in_the_future():
    source, _organiser = _template(days=10)
    later = timezone.now() + 200 * DAY
    proposed = series_services.next_schedule(source=source, rule=None, now=later)
    assert proposed["applications_close_at"] > later
    assert (proposed["starts_at"] - source.starts_at) % timedelta(weeks=1) == (
        timedelta(0)
    )


def test_the_next_one_of_a_monthly_series_is_a_month_later():
    source, _organiser = _template(days=10)
    proposed = series_services.next_schedule(
        source=source, rule=recurrence.MONTHLY, now=timezone.now()
    )
    assert proposed["starts_at"] == recurrence.occurrence_start(
        source.starts_at, recurrence.MONTHLY, 1
    )


def test_the_next_one_comes_after_the_last_date_given():
    source, _organiser = _template(days=10)
    last = source.starts_at + timedelta(weeks=3)
    proposed = series_services.next_schedule(
        source=source, rule=None, now=timezone.now(), after=last
    )
    assert proposed["starts_at"] == source.starts_at + timedelta(weeks=4)


def test_a_cancelled_gathering_can_be_copied():
    source, organiser = _template(days=10)
    gatherings.gathering_cancel(gathering=source, reason="장소 문제")
    copy = series_services.gathering_copy(
        source=source,
        created_by=organiser,
        schedule=series_services.next_schedule(
            source=source, rule=None, now=timezone.now()
        ),
    )
    assert copy.status == GatheringStatus.DRAFT
    assert copy.cancel_reason == ""


def test_a_copy_whose_applications_would_have_closed_is_refused():
    source, organiser = _template(days=10)
    past = series_services.schedule_at(source, timezone.now() - DAY)
    with pytest.raises(EventsError) as refused:
        series_services.gathering_copy(
            source=source, created_by=organiser, schedule=past
        )
    assert refused.value.code == "invalid_times"


def test_a_copy_keeps_only_the_hosts_still_in_the_community():
    source, organiser = _template(days=10)
    staying = member_joined(source.community)
    banned = member_joined(source.community)
    source.hosts.set([staying, banned])
    _ban(source.community, banned)
    copy = series_services.gathering_copy(
        source=source,
        created_by=organiser,
        schedule=series_services.next_schedule(
            source=source, rule=None, now=timezone.now()
        ),
    )
    assert list(copy.hosts.all()) == [staying]


def test_a_copy_takes_the_survey_settings_and_its_own_cover_files():
    source, organiser = _template(days=10)
    survey_settings_update(gathering=source, min_responses=7, duration_days=3)
    gatherings.gathering_cover_set(
        gathering=source,
        access=access_for(organiser, source.community),
        upload=upload(photo(size=(1400, 700))),
    )
    source.refresh_from_db()
    copy = series_services.gathering_copy(
        source=source,
        created_by=organiser,
        schedule=series_services.next_schedule(
            source=source, rule=None, now=timezone.now()
        ),
    )
    survey = Survey.objects.get(gathering=copy)
    assert (survey.min_responses, survey.duration) == (7, timedelta(days=3))
    assert survey.locked is False and survey.opens_at is None
    assert copy.cover and copy.cover != source.cover
    for width in COVER.widths:
        assert default_storage.exists(rendition_name(copy.cover, width))


def test_a_muted_organiser_may_not_copy():
    source, _organiser = _template(days=10)
    host = member_joined(source.community)
    source.hosts.add(host)
    _ban(source.community, host, kind=SanctionKind.MUTE)
    with pytest.raises(EventsError) as refused:
        series_services.gathering_copy(
            source=source,
            created_by=host,
            access=access_for(host, source.community),
            schedule=series_services.next_schedule(
                source=source, rule=None, now=timezone.now()
            ),
        )
    assert refused.value.code == "muted"


# --- A series ----------------------------------------------------------------------


def test_a_series_makes_the_occurrences_of_the_next_eight_weeks_published():
    template, organiser = _template(days=10)
    series = _weekly(template, organiser)
    made = _occurrences(series)
    # Starts at 10, 17, ..., 52 days: 59 lies beyond the eight weeks.
    assert len(made) == 7
    assert made[0] == template
    starts = [g.starts_at for g in made]
    assert starts == [template.starts_at + timedelta(weeks=i) for i in range(7)]
    assert all(g.published_at is not None for g in made)
    assert len({g.draw_commitment for g in made}) == 7
    assert series.next_due_at == template.starts_at + timedelta(weeks=7) - (
        timedelta(weeks=8)
    )


def test_a_second_run_makes_nothing_twice():
    template, organiser = _template(days=10)
    series = _weekly(template, organiser)
    before = SeriesOccurrence.objects.filter(series=series).count()
    assert series_services.series_extend(series_id=series.pk) == []
    assert series_services.series_extend(series_id=series.pk) == []
    assert SeriesOccurrence.objects.filter(series=series).count() == before


def test_the_database_refuses_a_second_occurrence_with_the_same_index():
    template, organiser = _template(days=10)
    series = _weekly(template, organiser, count=3)
    other = _template(days=12)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        SeriesOccurrence.objects.create(series=series, index=1, gathering=other)


def test_the_next_occurrence_is_made_as_time_passes():
    template, organiser = _template(days=10)
    series = _weekly(template, organiser)
    later = series.next_due_at + timedelta(minutes=1)
    made = series_services.series_extend(series_id=series.pk, now=later)
    assert [g.starts_at for g in made] == [template.starts_at + timedelta(weeks=7)]
    index = SeriesOccurrence.objects.get(gathering=made[0]).index
    assert index == 7


def test_the_count_bounds_the_series():
    template, organiser = _template(days=10)
    series = _weekly(template, organiser, count=3)
    assert len(_occurrences(series)) == 3
    assert Series.objects.get(pk=series.pk).next_due_at is None
    far = timezone.now() + 400 * DAY
    assert series_services.series_extend(series_id=series.pk, now=far) == []


def test_a_series_of_drafts_is_left_for_the_organiser_to_publish():
    template, organiser = _template(days=10)
    series = _weekly(template, organiser, count=3, publish=False)
    assert [g.published_at is None for g in _occurrences(series)[1:]] == [
        True,
        True,
    ]


def test_stopping_a_series_makes_no_more_and_keeps_those_made():
    template, organiser = _template(days=10)
    series = _weekly(template, organiser)
    made = _occurrences(series)
    series_services.series_stop(series_id=series.pk)
    later = timezone.now() + 30 * DAY
    assert series_services.series_extend(series_id=series.pk, now=later) == []
    assert _occurrences(series) == made
    assert all(
        g.published_at is not None
        for g in Gathering.objects.filter(pk__in=[g.pk for g in made])
    )


def test_a_gathering_repeats_in_one_series_only():
    template, organiser = _template(days=10)
    series = _weekly(template, organiser)
    for gathering in (template, _occurrences(series)[1]):
        with pytest.raises(EventsError) as refused:
            _weekly(gathering, organiser)
        assert refused.value.code == "series_exists"


@pytest.mark.parametrize(
    "bounds",
    [
        {"count": 27},
        {"count": 1},
        {"count": None, "until": None},
        {"count": 3, "until": "x"},
    ],
)
def test_a_series_without_one_bound_within_the_limits_is_refused(bounds):
    template, organiser = _template(days=10)
    if bounds.get("until") == "x":
        bounds["until"] = timezone.localdate(template.starts_at) + 10 * DAY
    with pytest.raises(EventsError) as refused:
        _weekly(template, organiser, **bounds)
    assert refused.value.code == "series_bounds"


def test_an_end_date_more_than_a_year_ahead_is_refused():
    template, organiser = _template(days=10)
    until = timezone.localdate(template.starts_at) + timedelta(days=400)
    with pytest.raises(EventsError) as refused:
        _weekly(template, organiser, count=None, until=until)
    assert refused.value.code == "series_bounds"


def test_an_end_date_with_no_other_occurrence_is_refused():
    template, organiser = _template(days=10)
    with pytest.raises(EventsError) as refused:
        _weekly(
            template,
            organiser,
            count=None,
            until=timezone.localdate(template.starts_at),
        )
    assert refused.value.code == "series_no_dates"


def test_a_banned_author_pauses_the_series():
    template, _moderator = _template(days=10)
    host = member_joined(template.community)
    host.memberships.update(role=MembershipRole.MODERATOR)
    template.hosts.add(host)
    series = _weekly(template, host, count=26)
    assert len(_occurrences(series)) == 7
    # A moderator is not sanctioned: the role goes first, then the ban.
    host.memberships.update(role=MembershipRole.MEMBER)
    _ban(template.community, host)
    later = series.next_due_at + timedelta(minutes=1)
    assert series_services.series_extend(series_id=series.pk, now=later) == []
    assert Series.objects.get(pk=series.pk).next_due_at == later + (
        series_services.PAUSE_RETRY
    )


def test_an_author_no_longer_a_moderator_pauses_the_series():
    # Still a host of the first gathering, but making gatherings is the
    # moderators' power (events.access.repeat_refusal).
    template, _moderator = _template(days=10)
    author = member_joined(template.community)
    author.memberships.update(role=MembershipRole.MODERATOR)
    template.hosts.add(author)
    series = _weekly(template, author, count=26)
    assert len(_occurrences(series)) == 7
    author.memberships.update(role=MembershipRole.MEMBER)
    later = series.next_due_at + timedelta(minutes=1)
    assert series_services.series_extend(series_id=series.pk, now=later) == []
    assert len(_occurrences(series)) == 7
    assert Series.objects.get(pk=series.pk).next_due_at == later + (
        series_services.PAUSE_RETRY
    )


def test_the_occurrences_of_an_online_series_are_published_without_a_link():
    template, organiser = _template(days=10)
    series = _weekly(template, organiser, count=3)
    made = _occurrences(series)[1:]
    assert [g.video_link for g in made] == ["", ""]
    assert all(g.published_at is not None for g in made)
    view = series_of_gathering(gathering=template, drafts=True)
    assert [row.needs_link for row in view.occurrences] == [False, True, True]


def _cover_files() -> set[str]:
    return set(default_storage.listdir(COVER.folder)[1])


def test_a_page_that_races_another_to_an_occurrence_does_not_fail():
    # A second visitor made the occurrences between this run's look and its
    # write: the run reads no rows, the unique constraint refuses its first,
    # and the page skips it, leaving no row and no cover file behind.
    template, organiser = _template(days=10)
    gatherings.gathering_cover_set(
        gathering=template,
        access=access_for(organiser, template.community),
        upload=upload(photo(size=(1400, 700))),
    )
    template.refresh_from_db()
    series = _weekly(template, organiser)
    later = series.next_due_at + timedelta(minutes=1)
    gathering_rows = Gathering.objects.count()
    files = _cover_files()
    blind = property(lambda self: SeriesOccurrence.objects.none())
    with mock.patch.object(Series, "occurrences", blind):
        series_services.series_extend_if_due(
            series_id=series.pk, next_due_at=series.next_due_at, now=later
        )
    assert Gathering.objects.count() == gathering_rows
    assert _cover_files() == files
    assert Series.objects.get(pk=series.pk).next_due_at == series.next_due_at


def test_a_page_that_finds_the_database_locked_does_not_fail():
    template, organiser = _template(days=10)
    series = _weekly(template, organiser)
    later = series.next_due_at + timedelta(minutes=1)
    locked = mock.patch.object(
        series_services,
        "_occurrences_make",
        side_effect=OperationalError("database is locked"),
    )
    with locked:
        series_services.series_extend_if_due(
            series_id=series.pk, next_due_at=series.next_due_at, now=later
        )
    assert Series.objects.get(pk=series.pk).next_due_at == series.next_due_at


def test_an_occurrence_whose_applications_have_closed_is_skipped():
    # Applications close 4 days before each start: the template's close is
    # past once a series is set on a gathering two days ahead.
    template, organiser = _template(days=10)
    late = template.applications_close_at + DAY
    series = series_services.series_create(
        template=template,
        rule=recurrence.WEEKLY,
        count=3,
        created_by=organiser,
        now=late,
    )
    indices = list(series.occurrences.values_list("index", flat=True))
    assert indices == [0, 1, 2]


def test_a_muted_organiser_may_not_start_a_series():
    template, _organiser = _template(days=10)
    host = member_joined(template.community)
    template.hosts.add(host)
    _ban(template.community, host, kind=SanctionKind.MUTE)
    with pytest.raises(EventsError) as refused:
        _weekly(template, host, access=access_for(host, template.community))
    assert refused.value.code == "muted"


# --- The series as pages read it ---------------------------------------------------


def test_members_see_the_published_occurrences_organisers_the_drafts_too():
    template, organiser = _template(days=10)
    series = _weekly(template, organiser, count=3, publish=False)
    view = series_of_gathering(gathering=template)
    assert [row.index for row in view.occurrences] == [0]
    view = series_of_gathering(gathering=template, drafts=True)
    assert [row.index for row in view.occurrences] == [0, 1, 2]
    assert [row.current for row in view.occurrences] == [True, False, False]
    assert view.series_id == series.pk
    assert series_of_gathering(gathering=_template(days=10)[0]) is None


@pytest.mark.parametrize("count", [3, 7])
def test_the_series_read_takes_two_queries_at_any_length(
    count, django_assert_num_queries
):
    template, organiser = _template(days=10)
    series_services.series_create(
        template=template,
        rule=recurrence.WEEKLY,
        count=count,
        created_by=organiser,
    )
    with django_assert_num_queries(2):
        view = series_of_gathering(gathering=template, drafts=True)
    assert len(view.occurrences) == count


def test_moderator_role_is_enough_to_author_a_series():
    community = community_create()
    template, _organiser = _template(days=10, community=community)
    moderator = member_joined(community)
    moderator.memberships.update(role=MembershipRole.MODERATOR)
    series = _weekly(template, moderator, count=2)
    assert len(_occurrences(series)) == 2

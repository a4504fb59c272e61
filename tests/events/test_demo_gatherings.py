"""seed_demo's gatherings (events/demo.py): one in every state of the
lifecycle, made through the services, loaded once; past ones with their
surveys, and members with rich paths."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from community.models import Member, Membership, Notification
from events.demo import (
    CANCELLED_TITLE,
    DEMO_ACCOUNT,
    DRAWN_TITLE,
    ENDED_TITLE,
    FIRST_COME_TITLE,
    OPEN_TITLE,
    SEOUL,
)
from events.join_tokens import join_token
from events.models import (
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    GatheringStatus,
    JoinPass,
    SelectionMode,
)
from events.services.applications import application_submit
from events.services.attendance import join_resolve


def gathering(title: str) -> Gathering:
    return Gathering.objects.get(title=title)


def statuses(title: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Application.objects.filter(gathering__title=title).values_list(
        "status", flat=True
    ):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_seed_demo_adds_a_gathering_in_every_state(seeded):
    assert {
        title: gathering(title).status
        for title in (
            OPEN_TITLE,
            DRAWN_TITLE,
            ENDED_TITLE,
            FIRST_COME_TITLE,
            CANCELLED_TITLE,
        )
    } == {
        OPEN_TITLE: GatheringStatus.OPEN,
        DRAWN_TITLE: GatheringStatus.DRAWN,
        ENDED_TITLE: GatheringStatus.SURVEY_CLOSED,
        FIRST_COME_TITLE: GatheringStatus.OPEN,
        CANCELLED_TITLE: GatheringStatus.CANCELLED,
    }


def test_demo_gatherings_span_several_communities(seeded):
    slugs = set(Gathering.objects.values_list("community__slug", flat=True))

    assert {"performance-marketing", "brand-marketing", "pr"} <= slugs


def test_open_lottery_has_twenty_seats_at_seven_pm_seoul_online(seeded):
    open_lottery = gathering(OPEN_TITLE)

    assert open_lottery.community.slug == "performance-marketing"
    assert open_lottery.selection_mode == SelectionMode.LOTTERY
    assert open_lottery.capacity == 20
    assert timezone.localtime(open_lottery.starts_at, SEOUL).hour == 19
    assert open_lottery.video_link.startswith("https://zoom.us/j/")


def test_open_lottery_has_about_sixty_applicants(seeded):
    assert statuses(OPEN_TITLE) == {ApplicationStatus.APPLIED: pytest.approx(60, abs=5)}


def test_demo_account_has_not_applied_to_the_open_lottery_and_can(seeded):
    demo = Member.objects.get(email=DEMO_ACCOUNT)
    open_lottery = gathering(OPEN_TITLE)
    assert not Application.objects.filter(gathering=open_lottery, member=demo).exists()

    application = application_submit(
        member=demo, gathering=open_lottery, motivation="데모 계정으로 신청해 봐요."
    )

    assert application.status == ApplicationStatus.APPLIED


def test_drawn_gathering_has_confirmed_waitlisted_and_declined_members(seeded):
    outcome = statuses(DRAWN_TITLE)
    capacity = gathering(DRAWN_TITLE).capacity

    assert outcome[ApplicationStatus.CONFIRMED] >= 5
    # At least two winners declined, more when the demo account drew a
    # waitlist place: each decline passes a seat one place down the list.
    assert outcome[ApplicationStatus.DECLINED] >= 2
    assert outcome.get(ApplicationStatus.OFFERED, 0) == 2
    held = outcome[ApplicationStatus.CONFIRMED] + outcome[ApplicationStatus.OFFERED]
    assert held == capacity
    assert outcome.get(ApplicationStatus.WAITLISTED, 0) == (
        16 - capacity - outcome[ApplicationStatus.DECLINED]
    )


def test_demo_account_holds_a_seat_whose_join_link_is_released(seeded):
    drawn = gathering(DRAWN_TITLE)
    application = Application.objects.get(gathering=drawn, member__email=DEMO_ACCOUNT)
    assert application.status == ApplicationStatus.CONFIRMED
    assert drawn.link_release_at <= timezone.now()

    link = join_resolve(
        token=join_token(application.join_pass), member=application.member
    )

    assert link == drawn.video_link


def test_waitlist_follows_the_draw(seeded):
    waiting = Application.objects.filter(
        gathering__title=DRAWN_TITLE, status=ApplicationStatus.WAITLISTED
    ).order_by("rank")

    positions = list(waiting.values_list("waitlist_position", flat=True))

    assert positions == list(range(1, len(positions) + 1))


def test_ended_gathering_lies_in_the_past_with_attendance_and_no_shows(seeded):
    ended = gathering(ENDED_TITLE)
    attendees = Application.objects.filter(
        gathering=ended, status=ApplicationStatus.CONFIRMED
    )

    assert ended.ends_at < timezone.now()
    assert attendees.count() == ended.capacity
    assert attendees.filter(attended=None).count() == 0
    assert attendees.filter(attended=False).count() == 2
    assert statuses(ENDED_TITLE)[ApplicationStatus.NOT_SELECTED] > 0
    # Those who came used their personal join URL.
    assert not JoinPass.objects.filter(
        application__in=attendees.filter(attended=True), first_used_at=None
    ).exists()


def test_first_come_gathering_is_open_with_seats_left(seeded):
    first_come = gathering(FIRST_COME_TITLE)

    assert first_come.selection_mode == SelectionMode.FIRST_COME
    assert statuses(FIRST_COME_TITLE) == {ApplicationStatus.CONFIRMED: 5}
    assert first_come.capacity > 5


def test_cancelled_gathering_cancelled_every_application(seeded):
    cancelled = gathering(CANCELLED_TITLE)

    assert cancelled.cancel_reason
    assert set(statuses(CANCELLED_TITLE)) == {ApplicationStatus.CANCELLED}


def test_every_seeded_draw_verifies(seeded, capsys):
    draws = Draw.objects.all()
    assert draws.count() == 6

    for draw in draws:
        call_command("verify_draw", str(draw.gathering_id))
        assert capsys.readouterr().out.strip().endswith("match")


def counts() -> dict[str, int]:
    return {
        "gatherings": Gathering.objects.count(),
        "applications": Application.objects.count(),
        "draws": Draw.objects.count(),
        "join passes": JoinPass.objects.count(),
        "members": Member.objects.count(),
        "memberships": Membership.objects.count(),
        "notifications": Notification.objects.count(),
    }


def test_running_seed_demo_twice_changes_no_counts(seeded):
    before = counts()

    call_command("seed_demo", verbosity=0)

    assert counts() == before

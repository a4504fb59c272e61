"""Factories for the events tests: a community with an organiser, members who
joined it, gatherings on a schedule fixed relative to their start, and a
snapshot of everything a gathering's lifecycle can touch.

Every gathering is made through the services (gathering_create and
gathering_publish), so it has a real seed and commitment. Its schedule lies
in the future of the wall clock; tests move time by passing ``now=``.
"""

from contextlib import contextmanager
from datetime import datetime, timedelta

from django.core import mail
from django.db import connection
from django.utils import timezone, translation

from community.models import (
    Community,
    Member,
    Membership,
    MembershipRole,
    Notification,
)
from community.templatetags.notifications import notification_text
from events.guards import guards_suspended
from events.models import (
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    GatheringStatus,
    JoinPass,
    ReminderSent,
    SelectionMode,
)
from events.services.applications import application_submit
from events.services.gatherings import gathering_create, gathering_publish
from events.services.lifecycle import gathering_advance
from tests.factories import community_create, member_create

# The video link planted in tests: it must reach attendees (through their
# join URL) and nobody and nothing else.
MARKER_LINK = "https://zoom.example/j/MARKER-123"

SECOND = timedelta(seconds=1)

# The default schedule, relative to the start.
OPENS_BEFORE = timedelta(days=6)
CLOSES_BEFORE = timedelta(days=4)
LASTS = timedelta(hours=2)


def future_start(days: int = 30) -> datetime:
    """A start far enough ahead that the whole window lies in the future of
    the wall clock (the services refuse to create one that closed already)."""
    return timezone.now().replace(microsecond=0) + timedelta(days=days)


def member_joined(community: Community, **overrides) -> Member:
    """A verified member of ``community``; English, so texts read as written."""
    overrides.setdefault("language", "en")
    member = member_create(**overrides)
    Membership.objects.create(community=community, member=member)
    return member


def members_joined(community: Community, count: int, **overrides) -> list[Member]:
    return [member_joined(community, **overrides) for _ in range(count)]


def organiser_of(community: Community) -> Member:
    """A moderator of ``community`` (an organiser of all its gatherings)."""
    organiser = member_create(language="en")
    Membership.objects.create(
        community=community, member=organiser, role=MembershipRole.MODERATOR
    )
    return organiser


def gathering_make(
    *,
    community: Community | None = None,
    organiser: Member | None = None,
    starts_at: datetime | None = None,
    capacity: int = 2,
    selection_mode: str = SelectionMode.LOTTERY,
    publish: bool = True,
    **fields,
) -> Gathering:
    """A gathering with applications open 6 to 4 days before its start and
    the default claim window (24 h), link release (24 h before), offer
    cut-off (2 h before) and lobby (30 min before); published unless told
    otherwise, so still a draft until ``applications_open_at``."""
    community = community or community_create()
    organiser = organiser or organiser_of(community)
    starts_at = starts_at or future_start()
    values = {
        "title": "퍼포먼스 마케터끼리 만나요",
        "video_link": MARKER_LINK,
        "starts_at": starts_at,
        "ends_at": starts_at + LASTS,
        "applications_open_at": starts_at - OPENS_BEFORE,
        "applications_close_at": starts_at - CLOSES_BEFORE,
        "capacity": capacity,
        "selection_mode": selection_mode,
    }
    values.update(fields)
    gathering = gathering_create(community=community, created_by=organiser, **values)
    if publish:
        gathering = gathering_publish(gathering=gathering)
    return gathering


def advance(gathering: Gathering, now: datetime, drawn_by=None) -> Gathering:
    """The clock at ``now``, as the queued job runs it (which alone asks the
    beacon's relays)."""
    return gathering_advance(
        gathering_id=gathering.pk, now=now, drawn_by=drawn_by, beacon_relays=True
    )


def gathering_open(**kwargs) -> Gathering:
    """A published gathering, advanced to its opening: open for applications."""
    gathering = gathering_make(**kwargs)
    return advance(gathering, gathering.applications_open_at)


def apply_all(
    gathering: Gathering, members: list[Member], *, at: datetime | None = None
) -> list[Application]:
    """Each member applies, one second after the other (arrival order)."""
    at = at or gathering.applications_open_at + timedelta(minutes=1)
    return [
        application_submit(member=member, gathering=gathering, now=at + i * SECOND)
        for i, member in enumerate(members)
    ]


def gathering_drawn(
    capacity: int = 2, applicants: int = 5, **kwargs
) -> tuple[Gathering, list[Member]]:
    """A lottery gathering whose applicants applied and whose draw ran at the
    close of applications."""
    gathering = gathering_open(capacity=capacity, **kwargs)
    members = members_joined(gathering.community, applicants)
    apply_all(gathering, members)
    gathering = advance(gathering, gathering.applications_close_at)
    assert gathering.status == GatheringStatus.DRAWN
    return gathering, members


def application_of(gathering: Gathering, member: Member) -> Application:
    return Application.objects.get(gathering=gathering, member=member)


def by_rank(gathering: Gathering) -> list[Application]:
    return list(
        Application.objects.filter(gathering=gathering)
        .select_related("member")
        .order_by("rank")
    )


def with_status(gathering: Gathering, status: str) -> list[Application]:
    return list(
        Application.objects.filter(gathering=gathering, status=status)
        .select_related("member")
        .order_by("rank", "created_at", "pk")
    )


def waitlist(gathering: Gathering) -> list[tuple[int, int]]:
    """(waitlist position, rank) of those waiting, by position."""
    return list(
        Application.objects.filter(
            gathering=gathering, status=ApplicationStatus.WAITLISTED
        )
        .order_by("waitlist_position")
        .values_list("waitlist_position", "rank")
    )


def notices_to(member: Member, containing: str = "") -> list[str]:
    """The member's notifications as they read them, in their language."""
    with translation.override(member.language):
        texts = [
            notification_text(n)
            for n in Notification.objects.filter(recipient=member).order_by("pk")
        ]
    return [text for text in texts if containing in text]


def mails_to(member: Member, containing: str = "") -> list:
    return [
        message
        for message in mail.outbox
        if member.email in message.to and containing in message.body
    ]


def snapshot(gathering: Gathering) -> dict:
    """Everything a lifecycle step can change, for before/after comparison."""
    row = Gathering.objects.filter(pk=gathering.pk).values().get()
    return {
        "gathering": row,
        "applications": list(
            Application.objects.filter(gathering=gathering).order_by("pk").values()
        ),
        "draws": list(Draw.objects.filter(gathering=gathering).values()),
        "join_passes": list(
            JoinPass.objects.filter(application__gathering=gathering)
            .order_by("pk")
            .values()
        ),
        "reminders": list(
            ReminderSent.objects.filter(application__gathering=gathering)
            .order_by("pk")
            .values("application_id", "kind")
        ),
        "notifications": Notification.objects.count(),
        "mails": len(mail.outbox),
    }


def gathering_held(
    attendees: int = 6, no_shows: int = 0, **kwargs
) -> tuple[Gathering, list[Member]]:
    """A lottery gathering whose every applicant won and confirmed a seat,
    advanced to its end: the survey is open. The last ``no_shows`` of the
    returned attendees were recorded as no-shows (and are not attendees)."""
    from events.services.attendance import checkin_record
    from events.services.offers import offer_confirm

    gathering, members = gathering_drawn(
        capacity=attendees, applicants=attendees, **kwargs
    )
    confirm_at = gathering.applications_close_at + timedelta(minutes=5)
    for member in members:
        offer_confirm(member=member, gathering=gathering, now=confirm_at)
    if no_shows:
        checkin_record(
            gathering=gathering,
            attended={
                application_of(gathering, m).pk: i < attendees - no_shows
                for i, m in enumerate(members)
            },
        )
    gathering = advance(gathering, gathering.ends_at)
    assert gathering.status == GatheringStatus.SURVEY_OPEN
    return gathering, members


def survey_answers(satisfaction: int = 4, **others) -> dict:
    return {"satisfaction": satisfaction, **others}


@contextmanager
def guards_bypassed():
    """Write as someone who owns the database would: the draw's guards
    (events migration 0010) switched off, on SQLite through the app's
    switch, on PostgreSQL by replica mode (superuser only), which fires no
    ordinary trigger. For tests that tamper and expect verify to notice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
    else:
        with guards_suspended():
            yield


def gathering_followed_up(
    attendees: int = 6, takeaways: int | None = None, now: datetime | None = None, **kw
):
    """A held gathering whose first ``takeaways`` attendees (all, unless
    told) kept a takeaway, and whose follow-up was asked at ``now`` (the
    wall clock unless told): (gathering, attendees, round)."""
    from events.services.followups import followup_round_ask
    from events.services.path import takeaway_save

    gathering, members = gathering_held(attendees=attendees, **kw)
    for member in members[: attendees if takeaways is None else takeaways]:
        takeaway_save(member=member, gathering=gathering, learned="배운 점")
    round = followup_round_ask(gathering_id=gathering.pk, now=now or timezone.now())
    return gathering, members, round

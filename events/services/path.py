"""A member's path: the takeaway they keep from a gathering they attended,
and who may see each item of their path. Takeaways are the member's own
writing, under their name: they never touch the anonymous survey."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from community.models import Member, Thread, Visibility
from events.access import attendee_filter
from events.errors import EventsError
from events.models import (
    PATH_EXPERIENCE,
    Application,
    Experience,
    Gathering,
    GatheringStatus,
    PathItemVisibility,
    PathKind,
    PathVisibility,
    Takeaway,
)

TAKEAWAY_LIMIT = 2000

# Gatherings that are over (a takeaway, a path item).
OVER = [
    GatheringStatus.ENDED,
    GatheringStatus.SURVEY_OPEN,
    GatheringStatus.SURVEY_CLOSED,
    GatheringStatus.ARCHIVED,
]


def takeaway_save(
    *,
    member: Member,
    gathering: Gathering,
    learned: str,
    will_apply: str = "",
    visibility: str = PathVisibility.PRIVATE,
    now: datetime | None = None,
) -> Takeaway:
    """Write or rewrite the member's takeaway from a gathering they attended,
    once it is over. One row per member and gathering (a constraint), so a
    double submission updates the same row."""
    now = now or timezone.now()
    learned, will_apply = learned.strip(), will_apply.strip()
    if gathering.status not in OVER:
        raise EventsError("takeaway_too_early")
    if not Application.objects.filter(
        attendee_filter(), gathering=gathering, member=member
    ).exists():
        raise EventsError("takeaway_not_attendee")
    if not learned:
        raise EventsError("takeaway_empty")
    if len(learned) > TAKEAWAY_LIMIT or len(will_apply) > TAKEAWAY_LIMIT:
        raise EventsError("too_long", limit=TAKEAWAY_LIMIT)
    if visibility not in PathVisibility.values:
        visibility = PathVisibility.PRIVATE
    values = {
        "learned": learned,
        "will_apply": will_apply,
        "visibility": visibility,
        "updated_at": now,
    }
    try:
        with transaction.atomic():
            takeaway, _created = Takeaway.objects.update_or_create(
                member=member,
                gathering=gathering,
                defaults=values,
                create_defaults={**values, "created_at": now},
            )
    except IntegrityError:
        # A simultaneous first save won the insert; this one updates it.
        Takeaway.objects.filter(member=member, gathering=gathering).update(**values)
        takeaway = Takeaway.objects.get(member=member, gathering=gathering)
    return takeaway


def path_visibility_set(
    *, member: Member, kind: str, object_id: int, visibility: str
) -> None:
    """The member chooses who sees one item of their path. Only items that
    are on it: a gathering they attended or hosted, an answer of theirs
    marked helpful, their own takeaway or experience."""
    if visibility not in PathVisibility.values:
        raise EventsError("path_item_unknown")
    if kind == PATH_EXPERIENCE:
        if not Experience.objects.filter(member=member, pk=object_id).update(
            visibility=visibility
        ):
            raise EventsError("path_item_unknown")
        return
    if kind not in PathKind.values:
        raise EventsError("path_item_unknown")
    if kind == PathKind.TAKEAWAY:
        if not Takeaway.objects.filter(member=member, pk=object_id).update(
            visibility=visibility
        ):
            raise EventsError("path_item_unknown")
        return
    if not _on_path(member, kind, object_id):
        raise EventsError("path_item_unknown")
    PathItemVisibility.objects.update_or_create(
        member=member,
        kind=kind,
        object_id=object_id,
        defaults={"visibility": visibility},
    )


def _on_path(member: Member, kind: str, object_id: int) -> bool:
    if kind == PathKind.ATTENDED:
        return Application.objects.filter(
            attendee_filter(),
            member=member,
            gathering_id=object_id,
            gathering__status__in=OVER,
        ).exists()
    if kind == PathKind.HOSTED:
        return Gathering.objects.filter(
            Q(hosts=member), pk=object_id, status__in=OVER
        ).exists()
    return Thread.objects.filter(
        pk=object_id,
        visibility=Visibility.VISIBLE,
        helpful_comment__author=member,
        helpful_comment__visibility=Visibility.VISIBLE,
    ).exists()

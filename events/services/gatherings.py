"""Creating, editing, publishing and cancelling gatherings."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.access import Access
from community.images import COVER, image_delete, image_store
from community.markdown import markdown_render
from community.models import Community, Member
from events import draw as algorithm
from events.access import (
    cancel_refusal,
    edit_refusal,
    frozen_fields,
    organiser_write_refusal,
    publish_refusal,
)
from events.errors import EventsError
from events.models import (
    Application,
    ApplicationStatus,
    Gathering,
    GatheringStatus,
    JoinPass,
)
from events.services.announcements import announcement_queue
from events.services.chain import log_append
from events.services.lifecycle import gathering_advance
from events.services.notices import notice_send
from events.services.seats import applications_update, locked_gathering
from realtime.broadcast import room_recheck

# Fields an organiser edits; the lifecycle fixes some of them as it passes
# the points that depend on them (events.access.frozen_fields).
EDITABLE = [
    "title",
    "description",
    "format",
    "video_link",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
    "selection_mode",
    "applications_open_at",
    "applications_close_at",
    "motivation_prompt",
    "questions",
    "require_work_verified",
    "require_matching_role",
    "claim_window",
    "link_release_before",
    "offer_cutoff_before",
]


def times_check(fields: dict, now: datetime, *, is_new: bool) -> None:
    """Refuse an impossible schedule with a clear reason."""
    opens = fields["applications_open_at"]
    closes = fields["applications_close_at"]
    starts = fields["starts_at"]
    ends = fields["ends_at"]
    if ends <= starts:
        raise EventsError(
            "invalid_times", problem=_("The end must come after the start.")
        )
    if closes <= opens:
        raise EventsError(
            "invalid_times",
            problem=_("Applications must close after they open."),
        )
    if closes > starts:
        raise EventsError(
            "invalid_times",
            problem=_("Applications must close before the gathering starts."),
        )
    if is_new and closes <= now:
        raise EventsError(
            "invalid_times", problem=_("Applications must close in the future.")
        )
    if fields["capacity"] < 1:
        raise EventsError(
            "invalid_times", problem=_("There must be at least one seat.")
        )


def gathering_create(
    *,
    community: Community,
    created_by: Member,
    hosts: list[Member] | None = None,
    **fields,
) -> Gathering:
    """A draft gathering; the commitment to its draw seed is fixed now, long
    before anyone applies."""
    now = timezone.now()
    times_check(fields, now, is_new=True)
    seed = algorithm.new_seed()
    with transaction.atomic():
        gathering = Gathering.objects.create(
            community=community,
            created_by=created_by,
            description_html=markdown_render(fields.get("description", "")),
            draw_seed=seed.hex(),
            draw_commitment=algorithm.commitment(seed),
            **fields,
        )
        gathering.hosts.set(hosts or [created_by])
    return gathering


def gathering_update(
    *, gathering: Gathering, access: Access | None = None, **fields
) -> Gathering:
    """Edit; the schedule and seats freeze as the lifecycle passes the points
    that depend on them. Attendees' calendars see the change (SEQUENCE).
    ``access`` is the editing organiser's, who must not be muted
    (``organiser_write_refusal``); None for the site itself."""
    if access is not None and (refusal := organiser_write_refusal(access)):
        raise refusal
    now = timezone.now()
    with transaction.atomic():
        locked = locked_gathering(gathering.pk)
        if refusal := edit_refusal(locked):
            raise refusal
        for name in frozen_fields(locked):
            if name in fields and fields[name] != getattr(locked, name):
                raise EventsError(
                    "cannot_edit",
                    reason=str(Gathering._meta.get_field(name).verbose_name),
                )
        merged = {name: fields.get(name, getattr(locked, name)) for name in EDITABLE}
        times_check(merged, now, is_new=False)
        for name, value in merged.items():
            setattr(locked, name, value)
        locked.description_html = markdown_render(locked.description)
        locked.sequence = F("sequence") + 1
        locked.updated_at = now
        locked.next_due_at = now  # re-plan the schedule below
        locked.save()
        locked.hosts.set(fields.get("hosts", locked.hosts.all()))
    return gathering_advance(gathering_id=gathering.pk, now=now)


def gathering_publish(
    *, gathering: Gathering, access: Access | None = None
) -> Gathering:
    """Make a draft visible; applications open at its opening time.
    ``access`` is the publishing organiser's, who must not be muted
    (``organiser_write_refusal``); None for the site itself."""
    if access is not None and (refusal := organiser_write_refusal(access)):
        raise refusal
    now = timezone.now()
    with transaction.atomic():
        locked = locked_gathering(gathering.pk)
        if refusal := publish_refusal(locked):
            raise refusal
        times_check({n: getattr(locked, n) for n in EDITABLE}, now, is_new=True)
        locked.published_at = now
        locked.next_due_at = now
        locked.save(update_fields=["published_at", "next_due_at"])
        announcement_queue(gathering=locked, now=now)
    return gathering_advance(gathering_id=gathering.pk, now=now)


def gathering_cancel(
    *, gathering: Gathering, reason: str, access: Access | None = None
) -> Gathering:
    """Cancel before the end: every applicant is told, with ``reason``, seats
    and join URLs lapse, and calendars show the event cancelled (SEQUENCE
    rises). ``access`` is the cancelling organiser's, who must not be muted
    (``organiser_write_refusal``); None for the site itself."""
    if access is not None and (refusal := organiser_write_refusal(access)):
        raise refusal
    now = timezone.now()
    with transaction.atomic():
        locked = locked_gathering(gathering.pk)
        if refusal := cancel_refusal(locked):
            raise refusal
        affected = list(
            Application.objects.filter(gathering=locked)
            .exclude(status__in=[ApplicationStatus.WITHDRAWN])
            .select_related("member")
        )
        applications_update(
            Application.objects.filter(pk__in=[a.pk for a in affected]),
            status=ApplicationStatus.CANCELLED,
            offer_expires_at=None,
            waitlist_position=None,
        )
        JoinPass.objects.filter(application__gathering=locked).update(revoked_at=now)
        room_recheck(gathering_id=locked.pk)
        Gathering.objects.filter(pk=locked.pk).update(
            status=GatheringStatus.CANCELLED,
            cancelled_at=now,
            cancel_reason=reason.strip()[:300],
            next_due_at=None,
            sequence=F("sequence") + 1,
            updated_at=now,
        )
        if locked.terms:
            # After the close the list is fixed: revealing the seed lets
            # anyone see what the draw would have given (docs/draw.md 17).
            log_append(
                community_id=locked.community_id,
                items=[
                    (
                        "cancel",
                        locked,
                        {
                            "reason": reason.strip()[:300],
                            "seed": locked.draw_seed if locked.frozen_at else None,
                        },
                    )
                ],
                now=now,
            )
        notice_send(
            members=[a.member for a in affected],
            gathering=locked,
            detail=_("‘%(title)s’ was cancelled: %(reason)s"),
            context={"reason": reason.strip()[:300]},
        )
    gathering.refresh_from_db()
    return gathering


def gathering_cover_set(*, gathering: Gathering, access: Access, upload) -> Gathering:
    """Replace the gathering's cover with ``upload`` (None: back to the
    drawn default). ``access`` is an organiser's, who must not be muted
    (``organiser_write_refusal``). Raises EventsError or CommunityError (a
    refused picture), changing nothing; the previous cover's files are
    deleted once the new key is committed."""
    if refusal := organiser_write_refusal(access):
        raise refusal
    key = image_store(upload=upload, kind=COVER) if upload is not None else ""
    previous = gathering.cover
    try:
        with transaction.atomic():
            Gathering.objects.filter(pk=gathering.pk).update(cover=key)
            transaction.on_commit(lambda: image_delete(key=previous, kind=COVER))
    except Exception:
        image_delete(key=key, kind=COVER)
        raise
    gathering.cover = key
    return gathering

"""Who organises a gathering and who may apply: one place for both."""

import html
import re
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, unquote, urlsplit

from django.db.models import Q

from community.access import (
    Access,
    access_for,
    communities_banning,
    members_banned_from,
)
from community.models import (
    Community,
    DisplayMode,
    Member,
    Membership,
    MembershipRole,
)
from community.timefmt import local_format
from events.errors import EventsError
from events.models import (
    NOT_OVER,
    Application,
    ApplicationStatus,
    FollowUp,
    Gathering,
    GatheringFormat,
    GatheringStatus,
    JoinPass,
    MessageSegment,
    SelectionMode,
    Survey,
    SurveyInvitation,
)


def is_organiser(
    member: Member | None, gathering: Gathering, access: Access | None = None
) -> bool:
    """Community moderators (and staff), and the gathering's hosts while they
    belong to its community. A ban takes it all: a banned member organises
    nothing in that community, whatever gatherings still name them as host.
    ``hosting`` is the same rule for many gatherings at once, ``organising``
    for many members."""
    if member is None or not member.is_authenticated:
        return False
    access = access or access_for(member, gathering.community)
    if access.banned is not None:
        return False
    if access.is_moderator:
        return True
    return access.is_member and gathering.hosts.filter(pk=member.pk).exists()


def hosting(member: Member) -> Q:
    """The gatherings ``member`` organises as their host, as a filter: hosted,
    in a community they belong to and are not banned from (``is_organiser``
    for one gathering)."""
    return (
        Q(hosts=member)
        & Q(
            community_id__in=Membership.objects.filter(member=member).values(
                "community_id"
            )
        )
        & ~Q(community_id__in=communities_banning(member))
    )


def organised_by(member: Member) -> Q:
    """The gatherings ``member`` organises, as a filter: those they host
    (``hosting``) and every one of the communities they moderate or own; none
    in a community that bans them (``is_organiser`` for one gathering, staff
    left out: staff organise everything, which no list should show)."""
    moderated = Membership.objects.filter(
        member=member, role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER]
    ).values("community_id")
    return hosting(member) | (
        Q(community_id__in=moderated) & ~Q(community_id__in=communities_banning(member))
    )


def organising(gathering: Gathering) -> Q:
    """The members who organise ``gathering``, as a filter on members
    (``is_organiser`` for many members at once, in one query): staff, the
    community's moderators and owners, and its hosts who belong to it; none
    that the community bans."""
    community_id = gathering.community_id
    memberships = Membership.objects.filter(community_id=community_id)
    moderators = memberships.filter(
        role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER]
    )
    return ~Q(pk__in=members_banned_from(community_id)) & (
        Q(is_staff=True)
        | Q(pk__in=moderators.values("member_id"))
        | (
            Q(pk__in=gathering.hosts.values("pk"))
            & Q(pk__in=memberships.values("member_id"))
        )
    )


def host_candidates(community: Community) -> Q:
    """The members who may be named a host of a gathering of ``community``,
    as a filter on members: active members of it, neither gone ("former
    member") nor banned from it. The host picker offers only them and the
    gathering form accepts only them."""
    return (
        Q(is_active=True)
        & Q(pk__in=Membership.objects.filter(community=community).values("member_id"))
        & ~Q(display_mode=DisplayMode.FORMER)
        & ~Q(pk__in=members_banned_from(community))
    )


def host_picker_refusal(access: Access) -> EventsError | None:
    """Why this visitor may not search ``access.community``'s members to
    name hosts, or None: only who may name hosts there, its moderators (and
    staff) and the hosts of its gatherings, none banned or muted (choosing
    hosts is writing what a gathering says)."""
    member = access.member
    if member is None or access.banned is not None:
        return EventsError("not_organiser")
    if access.muted is not None:
        return EventsError("muted")
    if access.is_moderator:
        return None
    if access.is_member and (
        Gathering.objects.filter(community=access.community)
        .filter(hosts=member)
        .exists()
    ):
        return None
    return EventsError("not_organiser")


def organiser_write_refusal(access: Access) -> EventsError | None:
    """Why this organiser may not write what a gathering says to its
    members, or None: its title and description, publishing them, the
    cancellation (whose reason is mailed to every applicant) and the
    survey's set-up. A mute makes a member read-only everywhere in the
    community, organiser pages included; what writes no text (the dashboard,
    the draw, check-in, revoking a join URL, the survey's results) stays open
    to a muted host."""
    if access.muted is not None:
        return EventsError("muted")
    return None


def eligibility_refusal(
    member: Member, gathering: Gathering, access: Access
) -> EventsError | None:
    """Why ``member`` may not apply, or None."""
    if access.banned is not None:
        return EventsError("banned")
    if not access.is_member:
        return EventsError("not_member")
    if gathering.require_work_verified and not member.is_work_verified:
        return EventsError("work_unverified")
    if gathering.require_matching_role and member.role != gathering.community.role:
        return EventsError("role_mismatch", role=gathering.community.get_role_display())
    return None


def seat_refusal(access: Access) -> EventsError | None:
    """Why the member may not be offered, confirm or hold a seat at a
    gathering of ``access.community``, or None: a ban takes every seat, even
    one a draw run on an input frozen before the ban would give them.
    ``seat_barred`` is the same rule for many applications at once."""
    if access.banned is not None:
        return EventsError("banned")
    return None


def seat_barred(community: Community | int) -> Q:
    """The applications whose member may hold no seat in ``community``, as a
    filter on applications (``seat_refusal`` for many rows). A member who
    left Moim holds none anywhere (``events.services.leaving``)."""
    return Q(member_id__in=members_banned_from(community)) | Q(member__is_active=False)


# --- Rules a page shows and a service enforces --------------------------------
# Each is one predicate: selectors and views call it to decide what to offer,
# the service raises what it returns, so the page and the service cannot
# disagree.

# Statuses from which a member may still withdraw.
WITHDRAWABLE = frozenset(
    {
        ApplicationStatus.APPLIED,
        ApplicationStatus.OFFERED,
        ApplicationStatus.CONFIRMED,
        ApplicationStatus.WAITLISTED,
    }
)
# Once a gathering is over (or cancelled) nothing about it can be cancelled.
UNCANCELLABLE = frozenset(GatheringStatus) - NOT_OVER
# Settings the lifecycle fixes: the schedule ones may not move once
# applications have opened or closed, since the draw and offers hang on them.
FROZEN_AFTER_OPEN = ("selection_mode", "applications_open_at")
FROZEN_AFTER_CLOSE = ("capacity", "applications_close_at", "require_work_verified")
# Settings that are part of a gathering's committed terms (events.terms).
TERMS_FROZEN = (
    "capacity",
    "applications_close_at",
    "claim_window",
    "offer_cutoff_before",
)


def withdraw_refusal(
    application: Application | None, gathering: Gathering, now: datetime
) -> EventsError | None:
    """Why ``application`` may not be withdrawn now, or None: only a live
    application, before the start, and never between the freeze at close and
    the draw, when the list is the published record's input (a change there
    would make the record unverifiable)."""
    if (
        application is None
        or application.status not in WITHDRAWABLE
        or gathering.status == GatheringStatus.CLOSED
        or now >= gathering.starts_at
    ):
        return EventsError("cannot_withdraw")
    return None


def draw_refusal(
    gathering: Gathering, now: datetime, *, drawn: bool
) -> EventsError | None:
    """Why the lottery may not run now, or None: a lottery whose
    applications have closed (the lifecycle moves it to closed as it draws),
    and never a second time (``drawn``: a draw is stored)."""
    if gathering.selection_mode != SelectionMode.LOTTERY:
        return EventsError("not_lottery")
    if drawn:
        return EventsError("already_drawn")
    # Open or closed means published: the lifecycle moves no draft.
    if (
        gathering.status not in {GatheringStatus.OPEN, GatheringStatus.CLOSED}
        or now < gathering.applications_close_at
    ):
        return EventsError("not_closed")
    return None


def edit_refusal(gathering: Gathering) -> EventsError | None:
    """Why nothing of ``gathering`` may be edited any more, or None."""
    if gathering.status not in NOT_OVER:
        return EventsError("cannot_edit", reason=gathering.get_status_display())
    return None


def frozen_fields(gathering: Gathering) -> list[str]:
    """The settings of an editable gathering that the lifecycle has fixed:
    with committed terms (moim-draw-v2) every term from the opening on,
    changed only by a numbered amendment (``amend_refusal``)."""
    frozen = []
    if gathering.status != GatheringStatus.DRAFT:
        frozen += FROZEN_AFTER_OPEN
        if gathering.terms:
            frozen += TERMS_FROZEN
    if gathering.status not in {GatheringStatus.DRAFT, GatheringStatus.OPEN}:
        frozen += FROZEN_AFTER_CLOSE
    return frozen


def amend_refusal(gathering: Gathering) -> EventsError | None:
    """Why ``gathering``'s committed terms may not be amended now, or None:
    only while applications are open (the close freezes the list the terms
    apply to)."""
    if not gathering.terms or gathering.status != GatheringStatus.OPEN:
        return EventsError("cannot_amend")
    return None


def publish_refusal(gathering: Gathering) -> EventsError | None:
    """Why ``gathering`` may not be published, or None: only a draft, once."""
    if gathering.status != GatheringStatus.DRAFT or gathering.published_at:
        return EventsError("cannot_publish")
    return None


def cancel_refusal(gathering: Gathering) -> EventsError | None:
    """Why ``gathering`` may not be cancelled, or None: not once it is over."""
    if gathering.status in UNCANCELLABLE:
        return EventsError("cannot_cancel")
    return None


def checkin_refusal(gathering: Gathering) -> EventsError | None:
    """Why the dashboard offers no check-in yet, or None: from the close of
    applications on, never for a cancelled gathering. The check-in page and
    ``checkin_record`` stay open to an organiser earlier (a first-come
    gathering confirms seats while it is open)."""
    if (
        gathering.status in {GatheringStatus.DRAFT, GatheringStatus.OPEN}
        or gathering.is_cancelled
    ):
        return EventsError("cannot_checkin")
    return None


# Check-in at the venue opens this long before the start and stays open
# until the end.
CHECKIN_OPENS_BEFORE = timedelta(hours=1)


def checkin_window(gathering: Gathering) -> tuple[datetime, datetime]:
    """When attendees may check themselves in with the venue code: from an
    hour before the start until the end."""
    return gathering.starts_at - CHECKIN_OPENS_BEFORE, gathering.ends_at


def attendee_pass_shown(application: Application | None) -> bool:
    """Whether ``application``'s check-in QR code and short code show on
    its member's gathering page: a confirmed seat at a gathering at a venue
    that is not cancelled, from the confirmation until the end (so the code
    can be saved ahead of a venue with poor signal)."""
    if application is None or application.status != ApplicationStatus.CONFIRMED:
        return False
    gathering = application.gathering
    return (
        gathering.format == GatheringFormat.OFFLINE
        and not gathering.is_cancelled
        and gathering.status in NOT_OVER
    )


def self_checkin_settings_refusal(gathering: Gathering) -> EventsError | None:
    """Why an organiser may not turn on self check-in or show the venue
    code, or None: only a gathering at a venue that is not cancelled."""
    if gathering.format != GatheringFormat.OFFLINE:
        return EventsError("checkin_not_venue")
    if gathering.is_cancelled:
        return EventsError("gathering_over")
    return None


def self_checkin_refusal(
    *,
    application: Application | None,
    gathering: Gathering,
    enabled: bool,
    now: datetime,
) -> EventsError | None:
    """Why ``application``'s member may not check themselves in with the
    venue code now, or None: a confirmed seat at a gathering at a venue, not
    cancelled, self check-in turned on by an organiser, within
    ``checkin_window``. The page shows the form and the service enforces it
    by this rule."""
    if refusal := self_checkin_settings_refusal(gathering):
        return refusal
    if application is None or application.status != ApplicationStatus.CONFIRMED:
        return EventsError("not_attendee")
    if not enabled:
        return EventsError("self_checkin_off")
    opens, closes = checkin_window(gathering)
    if not opens <= now < closes:
        return EventsError("checkin_closed", start=local_format(opens))
    return None


def join_refusal(application: Application, now: datetime) -> EventsError | None:
    """Why ``application``'s personal join URL may not be shown or followed
    now, or None: a confirmed seat with a live pass (the application's
    ``join_pass``) at an online gathering, from the release time until the
    end of a gathering that is not cancelled. Every page, calendar, reminder
    and the join URL itself ask this."""
    join_pass: JoinPass | None = getattr(application, "join_pass", None)
    if (
        application.status != ApplicationStatus.CONFIRMED
        or join_pass is None
        or join_pass.revoked_at is not None
    ):
        return EventsError("join_revoked")
    gathering = application.gathering
    if gathering.format == GatheringFormat.OFFLINE:
        # Attendees come to the venue: no page, calendar or reminder offers
        # a join link that could only be refused.
        return EventsError("join_no_link")
    if now < gathering.link_release_at:
        return EventsError(
            "join_not_released",
            time=local_format(gathering.link_release_at),
        )
    if now >= gathering.ends_at or gathering.is_cancelled:
        return EventsError("gathering_over")
    return None


# How long before the start a use of the personal join URL counts as evidence
# that the member came: opening it days early (to test a camera, say) is not
# attending, and check-in must not pre-mark it as such.
ATTENDANCE_EVIDENCE_BEFORE = timedelta(minutes=15)


def is_attendance_evidence(gathering: Gathering, when: datetime) -> bool:
    """Whether a use of the join URL at ``when`` is evidence of attendance:
    from ``ATTENDANCE_EVIDENCE_BEFORE`` the start until the end. The join
    URL records only such a use (``join_resolve``), and check-in pre-marks
    only from one, rows stored before this rule included."""
    return gathering.starts_at - ATTENDANCE_EVIDENCE_BEFORE <= when < gathering.ends_at


# --- The survey: who may answer, and when ---------------------------------------


def attendee_filter() -> Q:
    """Attendees: a confirmed seat that check-in did not record as a
    no-show (checked in, or confirmed where nothing was recorded)."""
    return Q(status=ApplicationStatus.CONFIRMED) & (
        Q(attended=True) | Q(attended__isnull=True)
    )


def no_show_filter() -> Q:
    """No-shows: a confirmed seat that check-in recorded as not attended;
    with ``attendee_filter``, every confirmed seat is exactly one of them."""
    return Q(status=ApplicationStatus.CONFIRMED, attended=False)


def is_attendee(*, member: Member, gathering: Gathering) -> bool:
    """One query."""
    return Application.objects.filter(
        attendee_filter(), gathering=gathering, member=member
    ).exists()


def answer_refusal(
    *,
    member: Member,
    gathering: Gathering,
    survey: Survey | None,
    access: Access | None = None,
) -> EventsError | None:
    """Why ``member`` may not answer ``survey`` (whatever its dates), or
    None. Only the members invited when it opened may answer, so check-in
    changed afterwards moves nobody in or out; and never an organiser, who
    reads the results (an organiser's own answers would let them subtract
    themselves from what the results show). A few queries."""
    invited = (
        survey is not None
        and survey.pk is not None
        and SurveyInvitation.objects.filter(survey=survey, member=member).exists()
    )
    organiser = is_organiser(member, gathering, access)
    if invited:
        return EventsError("survey_organiser") if organiser else None
    if organiser and is_attendee(member=member, gathering=gathering):
        return EventsError("survey_organiser")
    return EventsError("survey_not_attendee")


def survey_open_refusal(
    survey: Survey | None, status: str, now: datetime
) -> EventsError | None:
    """Why ``survey`` of a gathering in ``status`` takes no response now,
    or None: from its opening until its close, and not once closed."""
    if (
        status != GatheringStatus.SURVEY_OPEN
        or survey is None
        or survey.response_count is not None
        or survey.closes_at is None
        or not (survey.opens_at <= now < survey.closes_at)
    ):
        return EventsError("survey_not_open")
    return None


def response_refusal(
    *,
    member_refusal: EventsError | None,
    open_refusal: EventsError | None,
    answered: bool,
    opened: bool,
) -> EventsError | None:
    """Why a member may not answer a survey, or None. Before the survey
    opens, that it is not open (nobody is invited yet, so nobody can be told
    they were not); once it has opened, the member's own refusal first
    (``answer_refusal``: a member who did not attend is told so, not that
    the survey closed), then the survey's (``survey_open_refusal``); then an
    answer already given. The answer page and ``response_submit`` both ask
    this, so both refuse alike."""
    if member_refusal is not None and opened:
        return member_refusal
    if open_refusal is not None:
        return open_refusal
    if member_refusal is not None:
        return member_refusal
    if answered:
        return EventsError("survey_answered")
    return None


# --- How the community's gatherings went ------------------------------------------


def analytics_refusal(access: Access) -> EventsError | None:
    """Why ``access`` may not read how the community's gatherings went (the
    analytics pages and their CSV), or None: its moderators and owners (and
    staff), none that the community bans (``is_organiser``'s rule for the
    whole community). A mute takes away writing, and these pages write
    nothing, so a muted moderator still reads them."""
    if access.banned is not None:
        return EventsError("banned")
    if not access.is_moderator:
        return EventsError("moderator_only")
    return None


# --- Messages to applicants ----------------------------------------------------

# Segments every member of which holds a confirmed seat (segment_filter): the
# only ones a message that names the video link may go to.
SEAT_HOLDER_SEGMENTS = frozenset(
    {MessageSegment.CONFIRMED, MessageSegment.ATTENDED, MessageSegment.NO_SHOW}
)
# How far ahead a message may be scheduled, and how soon it counts as "now".
MESSAGE_HORIZON = timedelta(days=90)
MESSAGE_LEEWAY = timedelta(minutes=1)


def segment_filter(segment: str) -> Q:
    """The applications in ``segment``, as a filter on applications: every
    application but a withdrawn one (all), the waitlist, the confirmed seats,
    and among them the attendees and the no-shows by the one rule the
    analytics and the survey use (``attendee_filter``, ``no_show_filter``:
    attendance recorded by nobody counts as attended). Who receives a
    message is this, minus ``recipient_barred``."""
    return {
        MessageSegment.ALL: ~Q(status=ApplicationStatus.WITHDRAWN),
        MessageSegment.WAITLISTED: Q(status=ApplicationStatus.WAITLISTED),
        MessageSegment.CONFIRMED: Q(status=ApplicationStatus.CONFIRMED),
        MessageSegment.ATTENDED: attendee_filter(),
        MessageSegment.NO_SHOW: no_show_filter(),
    }[MessageSegment(segment)]


def recipient_barred(community: Community | int) -> Q:
    """The applications whose member receives no message about a gathering
    of ``community``, as a filter on applications: banned there, left Moim
    (``seat_barred``), or no longer a member of the community."""
    community_id = community.pk if isinstance(community, Community) else community
    return seat_barred(community_id) | ~Q(
        member_id__in=Membership.objects.filter(community_id=community_id).values(
            "member_id"
        )
    )


_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad\s]+")
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


# A path or query value this long (in letters and digits) identifies the
# meeting on its own (a meeting id, a room code, a passcode); a shorter one
# could be any word, so it counts only as part of the whole link.
LINK_PART_MIN = 6


def _significant(text: str) -> int:
    return sum(character.isalnum() for character in text)


def _link_parts(link: str) -> list[str]:
    """The parts of a video link that identify it, whatever way it is
    written, decoded and lowercased: the whole link (host without "www.",
    path without its trailing slash, query; no scheme, no fragment), and,
    when long enough (``LINK_PART_MIN``), its path and the path's last
    segment (the meeting id or room code: a meeting service answers it on
    any of its hosts, without the passcode) and each query value (the
    passcode), so that another host, a missing or reordered query still
    names it."""
    parts = urlsplit(link.strip())
    host = (parts.hostname or "").removeprefix("www.")
    path = (parts.path or "").rstrip("/")
    whole = host + path
    if parts.query:
        whole += "?" + parts.query
    found = [_text_normalised(whole)]
    pieces = [path, path.rsplit("/", 1)[-1]]
    pieces += [value for _name, value in parse_qsl(parts.query)]
    for piece in pieces:
        piece = _text_normalised(piece)
        if _significant(piece) >= LINK_PART_MIN and piece not in found:
            found.append(piece)
    return [part for part in found if part]


def _text_normalised(text: str) -> str:
    """``text`` as a link inside it would compare: entities and percent
    escapes decoded (twice over, for a doubly encoded one), Markdown's
    backslash escapes undone, invisible characters and white space dropped,
    compatibility forms folded and lowercased."""
    text = html.unescape(text)
    for _ in range(3):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    text = _MARKDOWN_ESCAPE.sub(r"\1", text)
    text = unicodedata.normalize("NFKC", text)
    return _INVISIBLE.sub("", text).lower()


def names_video_link(gathering: Gathering, *texts: str) -> bool:
    """Whether any of ``texts`` contains ``gathering``'s video link, written
    any way that still reaches it: with or without the scheme or "www.",
    with a trailing slash or none, percent-encoded, as a Markdown link or
    autolink, in upper case, split by invisible characters; or any of its
    identifying parts (``_link_parts``: the meeting id, the passcode) on
    its own."""
    if not gathering.video_link:
        return False
    parts = _link_parts(gathering.video_link)
    if not parts:
        return False
    return any(
        part in normalised
        for normalised in (_text_normalised(text) for text in texts if text)
        for part in parts
    )


def message_link_refusal(
    *,
    gathering: Gathering,
    segment: str,
    subject: str,
    body: str,
    at: datetime | None = None,
) -> EventsError | None:
    """Why a message may not go to ``segment`` at ``at``, or None. Its
    subject never names the gathering's video link (the notification keeps
    the subject, which outlives the seat); a body that names it goes only
    to a segment of confirmed seat holders (``SEAT_HOLDER_SEGMENTS``), and
    not before the link's release time nor once the gathering is over or
    cancelled (``join_refusal``'s window; each recipient's own pass is the
    service's to ask). The form asks this when it is written (``at`` None:
    the time is not asked), the service when it is written and again when
    it is sent (the link or its release time may have changed since)."""
    if names_video_link(gathering, subject):
        return EventsError("message_link_subject")
    if not names_video_link(gathering, body):
        return None
    if segment not in SEAT_HOLDER_SEGMENTS:
        return EventsError("message_video_link")
    if at is not None and at < gathering.link_release_at:
        return EventsError(
            "message_link_early", time=local_format(gathering.link_release_at)
        )
    if at is not None and (at >= gathering.ends_at or gathering.is_cancelled):
        return EventsError("gathering_over")
    return None


def message_time_refusal(send_at: datetime, now: datetime) -> EventsError | None:
    """Why a message may not be scheduled for ``send_at``, or None: not in
    the past, not beyond ``MESSAGE_HORIZON``."""
    if send_at < now - MESSAGE_LEEWAY:
        return EventsError("message_time_past")
    if send_at > now + MESSAGE_HORIZON:
        return EventsError("message_time_far", days=MESSAGE_HORIZON.days)
    return None


def message_cancel_refusal(status: str) -> EventsError | None:
    """Why a message may not be cancelled, or None: only while scheduled."""
    if status != "scheduled":
        return EventsError("message_not_scheduled")
    return None


def message_read_refusal(
    *,
    member: Member,
    gathering: Gathering,
    subject: str,
    body: str,
    now: datetime,
) -> EventsError | None:
    """Why ``member``, who received a message, may not read it on the site
    ``now``, or None: a message naming the video link stays readable only
    while the link itself may be shown to them (``join_refusal``: a
    confirmed seat, a pass not revoked, from the release time until the
    end). Organisers read every message without asking this. One query
    when the message names the link."""
    if not names_video_link(gathering, subject, body):
        return None
    application = (
        Application.objects.select_related("join_pass")
        .filter(gathering=gathering, member=member)
        .first()
    )
    if application is None:
        return EventsError("not_attendee")
    application.gathering = gathering
    return join_refusal(application, now)


# --- Repeating a gathering ------------------------------------------------------


def repeat_refusal(access: Access) -> EventsError | None:
    """Why ``access`` may not make new gatherings from one (the next one
    from this, a series), or None. Making a gathering is the community's
    moderators' power (``gathering_create``'s door), so a gathering's
    plain-member host, who organises that one gathering, may not; a ban
    has already taken organising away (``is_organiser``)."""
    if not access.is_moderator:
        return EventsError("moderator_only")
    return None


def credential_refusal(*, member: Member, community_id: int) -> EventsError | None:
    """Whether ``member`` may issue a credential about an item of a
    community: not while it bans them (a ban takes away what the community
    would vouch for; a credential issued before stays, revocable by its
    member). One query."""
    if communities_banning(member).filter(community_id=community_id).exists():
        return EventsError("credential_banned")
    return None


def followup_answer_refusal(
    followup: FollowUp | None, access: Access, now: datetime
) -> EventsError | None:
    """Why the member of ``access`` may not answer (or change their answer
    to) ``followup`` now, or None: only their own question, asked to them,
    while it is open (until the round's close), not while the community
    bans them, and not once they left it (their earlier answer stays, as
    the close counts it). The page and the service both ask this."""
    if followup is None or access.member is None:
        return EventsError("followup_none")
    if access.banned is not None:
        return EventsError("banned")
    if not access.is_member:
        return EventsError("followup_not_member")
    round = followup.round
    if round.closed or now >= round.closes_at:
        return EventsError("followup_closed")
    return None

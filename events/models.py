import secrets
import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from community.models import Community, Member


def new_public_id() -> str:
    """What a member sees as their application's id in the draw record: not
    their name, not guessable, stable."""
    return secrets.token_hex(5)


def new_nonce() -> str:
    return secrets.token_hex(16)


# Statuses in which a gathering's chat room has not opened yet.
CHAT_BEFORE = {"draft", "open", "closed", "drawn"}


class SelectionMode(models.TextChoices):
    LOTTERY = "lottery", _("Lottery")
    FIRST_COME = "first_come", _("First come, first served")


class GatheringFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline")


class GatheringStatus(models.TextChoices):
    """PRODUCT.md's lifecycle. events.services.lifecycle is the one place
    that moves a gathering from one to the next."""

    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for applications")
    CLOSED = "closed", _("Applications closed")
    DRAWN = "drawn", _("Seats given")
    LOBBY = "lobby", _("Lobby open")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")
    SURVEY_OPEN = "survey_open", _("Survey open")
    SURVEY_CLOSED = "survey_closed", _("Survey closed")
    ARCHIVED = "archived", _("Archived")
    CANCELLED = "cancelled", _("Cancelled")


# The order in which time moves a gathering; CANCELLED is off to the side.
STATUS_ORDER = [
    GatheringStatus.DRAFT,
    GatheringStatus.OPEN,
    GatheringStatus.CLOSED,
    GatheringStatus.DRAWN,
    GatheringStatus.LOBBY,
    GatheringStatus.LIVE,
    GatheringStatus.ENDED,
    GatheringStatus.SURVEY_OPEN,
    GatheringStatus.SURVEY_CLOSED,
    GatheringStatus.ARCHIVED,
]
# A gathering not over yet: it can still be edited, and a community ban
# still takes what the banned member holds in it.
NOT_OVER = frozenset(STATUS_ORDER[: STATUS_ORDER.index(GatheringStatus.ENDED)])


class Gathering(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="gatherings"
    )
    # Stable identity for calendars (iCalendar UID) and public records.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    description_html = models.TextField(blank=True)
    format = models.CharField(
        _("format"),
        max_length=8,
        choices=GatheringFormat.choices,
        default=GatheringFormat.ONLINE,
    )
    # Secret: shown only to attendees (through their join URL, from the
    # release time) and organisers; never in pages, feeds, records or logs.
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    # The key of the cover picture in the default storage (community.images);
    # empty: the drawn default (community.templatetags.faces).
    cover = models.CharField(max_length=60, blank=True, editable=False)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("seats"))
    selection_mode = models.CharField(
        _("selection"),
        max_length=12,
        choices=SelectionMode.choices,
        default=SelectionMode.LOTTERY,
    )
    applications_open_at = models.DateTimeField(_("applications open"))
    applications_close_at = models.DateTimeField(_("applications close"))
    motivation_prompt = models.CharField(
        _("motivation question"),
        max_length=200,
        default="",
        blank=True,
    )
    # Extra short questions, a list of strings.
    questions = models.JSONField(_("short questions"), default=list, blank=True)
    require_work_verified = models.BooleanField(
        _("only members verified at work"), default=False
    )
    require_matching_role = models.BooleanField(
        _("only members of the community's job role"), default=False
    )
    hosts = models.ManyToManyField(Member, related_name="hosted_gatherings", blank=True)
    claim_window = models.DurationField(
        _("time to confirm a seat"), default=timedelta(hours=24)
    )
    link_release_before = models.DurationField(
        _("link released before the start"), default=timedelta(hours=24)
    )
    offer_cutoff_before = models.DurationField(
        _("no new seat offers before the start"), default=timedelta(hours=2)
    )
    lobby_before = models.DurationField(
        _("chat lobby opens before the start"), default=timedelta(minutes=30)
    )
    status = models.CharField(
        max_length=16, choices=GatheringStatus.choices, default=GatheringStatus.DRAFT
    )
    # When the next time-driven transition or job is due (None: nothing is):
    # pages compare it with the clock and advance the gathering on access.
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The draw's secret seed (hex) and its published commitment. The seed is
    # revealed in the draw record only.
    draw_seed = models.CharField(max_length=64, blank=True, editable=False)
    draw_commitment = models.CharField(max_length=64, blank=True, editable=False)
    frozen_digest = models.CharField(max_length=64, blank=True, editable=False)
    # moim-draw-v2: the terms committed at opening (docs/draw.md section 14)
    # and their digest; the commitment then covers seed and terms. Empty for
    # a v1 gathering. A database trigger refuses changing them once set.
    terms = models.JSONField(default=dict, blank=True, editable=False)
    terms_digest = models.CharField(max_length=64, blank=True, editable=False)
    frozen_at = models.DateTimeField(null=True, blank=True)
    # iCalendar SEQUENCE: rises on every change attendees should see.
    sequence = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("gathering")
        verbose_name_plural = _("gatherings")
        indexes = [models.Index(fields=["community", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="gathering_capacity"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="gathering_ends_after",
            ),
            models.CheckConstraint(
                condition=Q(applications_close_at__gt=models.F("applications_open_at")),
                name="gathering_window_order",
            ),
            models.CheckConstraint(
                condition=Q(applications_close_at__lte=models.F("starts_at")),
                name="gathering_closes_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def link_release_at(self):
        return self.starts_at - self.link_release_before

    @property
    def offer_cutoff_at(self):
        return self.starts_at - self.offer_cutoff_before

    @property
    def lobby_at(self):
        return self.starts_at - self.lobby_before

    @property
    def is_cancelled(self) -> bool:
        return self.status == GatheringStatus.CANCELLED

    @property
    def chat_state(self) -> str:
        """Where its chat room stands: "before" it opens, "lobby" and "live"
        (attendees and organisers write), then "archive" (read only)."""
        if self.status in CHAT_BEFORE:
            return "before"
        if self.status == GatheringStatus.LOBBY:
            return "lobby"
        if self.status == GatheringStatus.LIVE:
            return "live"
        return "archive"


class FairnessPolicy(models.Model):
    """A community's draw weights, published in every draw record. Weights
    are integers in tenths (10 = 1.0) so that anyone can recompute a draw
    exactly."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="fairness_policy"
    )
    base_weight = models.PositiveSmallIntegerField(default=10)
    loss_bonus = models.PositiveSmallIntegerField(
        _("extra weight per earlier loss"), default=5
    )
    loss_cap = models.PositiveSmallIntegerField(_("losses counted at most"), default=3)
    no_show_weight = models.PositiveSmallIntegerField(
        _("weight after a no-show"), default=5
    )
    no_show_days = models.PositiveSmallIntegerField(
        _("days a no-show counts"), default=90
    )
    company_cap = models.PositiveSmallIntegerField(
        _("winners per verified company at most"), null=True, blank=True
    )
    # Offer more seats than there are, by the community's measured
    # attendance; the factor is fixed in each gathering's terms at opening.
    overbooking = models.BooleanField(
        _("offer extra seats by measured no-shows"), default=False
    )

    class Meta:
        constraints = [
            # events.draw accepts weights from 1 to 1000 (MAX_WEIGHT).
            models.CheckConstraint(
                condition=Q(base_weight__gte=1)
                & Q(no_show_weight__gte=1)
                & Q(no_show_weight__lte=1000)
                & Q(
                    base_weight__lte=1000
                    - models.F("loss_bonus") * models.F("loss_cap")
                ),
                name="fairness_weights_in_range",
            ),
            models.CheckConstraint(
                condition=Q(company_cap__isnull=True) | Q(company_cap__gte=1),
                name="fairness_company_cap_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"fairness policy of {self.community_id}"


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    OFFERED = "offered", _("Seat offered")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Offer expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOT_SELECTED = "not_selected", _("Not selected")
    CANCELLED = "cancelled", _("Gathering cancelled")


# Statuses that hold a seat: pending offers and confirmed attendees.
SEAT_HOLDING = [ApplicationStatus.OFFERED, ApplicationStatus.CONFIRMED]


class Application(models.Model):
    gathering = models.ForeignKey(
        Gathering, on_delete=models.CASCADE, related_name="applications"
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="applications"
    )
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id)
    motivation = models.TextField(_("motivation"), blank=True)
    answers = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.APPLIED,
    )
    # Frozen at close (lottery) and published in the draw record.
    weight = models.PositiveSmallIntegerField(null=True, blank=True)
    group = models.CharField(max_length=16, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    # Position among those still waiting; recomputed on every promotion.
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Check-in: None until an organiser records attendance.
    attended = models.BooleanField(null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["gathering", "member"], name="application_one_per_member"
            )
        ]
        indexes = [
            models.Index(fields=["gathering", "status", "rank"]),
            models.Index(fields=["member", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"application {self.public_id}"


class Draw(models.Model):
    """The published, final result of a lottery. One per gathering, by the
    database: a second draw cannot be stored."""

    # PROTECT: a gathering whose draw exists cannot be deleted (and a
    # database trigger refuses deleting the draw itself).
    gathering = models.OneToOneField(
        Gathering, on_delete=models.PROTECT, related_name="draw"
    )
    algorithm = models.CharField(max_length=32)
    record = models.JSONField()
    drawn_at = models.DateTimeField(default=timezone.now)
    drawn_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notices_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"draw of {self.gathering_id}"


class Amendment(models.Model):
    """A numbered, published change of a gathering's committed terms, with
    its reason (docs/draw.md section 15). Append-only: a database trigger
    refuses updating or deleting one."""

    gathering = models.ForeignKey(
        Gathering, on_delete=models.PROTECT, related_name="amendments"
    )
    number = models.PositiveIntegerField()
    changes = models.JSONField()
    reason = models.CharField(_("reason"), max_length=300)
    previous_digest = models.CharField(max_length=64)
    terms_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["gathering", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["gathering", "number"], name="amendment_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"amendment {self.number} of {self.gathering_id}"


class LogKind(models.TextChoices):
    COMMITMENT = "commitment", _("Commitment")
    AMENDMENT = "amendment", _("Amendment")
    CLOSE = "close", _("Close")
    DRAW = "draw", _("Draw")
    MOVEMENT = "movement", _("Seat movement")
    CANCEL = "cancel", _("Cancellation")


class LogEntry(models.Model):
    """One link of a community's append-only hash chain (docs/draw.md
    section 17): each entry's digest covers its content and the previous
    entry's digest. A database trigger refuses updating or deleting one."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=12, choices=LogKind.choices)
    gathering = models.ForeignKey(
        Gathering, null=True, on_delete=models.PROTECT, related_name="log_entries"
    )
    at = models.DateTimeField()
    payload = models.JSONField()
    previous = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["community", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "seq"], name="log_entry_seq_once"
            )
        ]
        indexes = [models.Index(fields=["gathering", "kind", "seq"])]

    def __str__(self) -> str:
        return f"log entry {self.seq} of {self.community_id}"


class JoinPass(models.Model):
    """An attendee's personal join URL: it records use (attendance evidence)
    and can be revoked by an organiser. The URL's token is derived from the
    nonce with the site's secret, so nothing secret is stored and rotating
    the nonce kills the old URL."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="join_pass"
    )
    nonce = models.CharField(max_length=32, default=new_nonce)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The first use that is attendance evidence (``is_attendance_evidence``:
    # from shortly before the start); use_count counts every use.
    first_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"join pass of {self.application_id}"


class CheckinMethod(models.TextChoices):
    """How an attendee of a gathering at a venue was checked in: an
    organiser scanned their QR code or typed its short code (the organiser
    saw the person), or the attendee entered the code shown at the venue
    (proves presence near the screen showing it, nothing more)."""

    SCAN = "scan", _("QR code scanned by an organiser")
    CODE = "code", _("Code typed by an organiser")
    SELF = "self", _("Venue code entered by the attendee")


class Checkin(models.Model):
    """One attendee's check-in at the venue: when, which way and, for an
    organiser's scan, by whom. Attendance itself stays
    ``Application.attended``, which every reader (draw weights, surveys,
    paths) already uses; this row only says how it came about."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="checkin"
    )
    method = models.CharField(max_length=8, choices=CheckinMethod.choices)
    checked_in_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"check-in of {self.application_id}"


class SelfCheckin(models.Model):
    """Self check-in at a gathering's venue: off until an organiser turns it
    on. The venue code is derived from the nonce with the site's secret
    (``events.checkin_tokens``), so a new nonce is a new code and nothing
    secret is stored."""

    gathering = models.OneToOneField(
        Gathering, on_delete=models.CASCADE, related_name="self_checkin"
    )
    enabled = models.BooleanField(default=False)
    nonce = models.CharField(max_length=32, default=new_nonce)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"self check-in of {self.gathering_id}"


class ReminderKind(models.TextChoices):
    DAY_BEFORE = "day_before", _("The day before")
    HOUR_BEFORE = "hour_before", _("One hour before")
    # Push only: the join link opened (events.services.lifecycle).
    LINK_RELEASE = "link_release", _("When the join link opens")


class ReminderSent(models.Model):
    """That a reminder (or the link-release push) went to an application's
    member: the unique constraint makes a job that runs twice send once."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder for {self.application_id}"


class CalendarFeed(models.Model):
    """A member's personal calendar feed. Only a SHA-256 of the random token
    is stored; regenerating replaces it, so the old URL stops at once."""

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar feed of {self.member_id}"


# ---------------------------------------------------------------------------
# The feedback survey (docs/anonymity.md) and the path.
# ---------------------------------------------------------------------------

SURVEY_DURATION = timedelta(days=7)
# k: results are shown from this many responses; never fewer than the floor.
SURVEY_MIN_RESPONSES = 5
SURVEY_MIN_RESPONSES_FLOOR = 3


class Survey(models.Model):
    """A gathering's feedback survey. Its settings (k, the period, the
    organiser's questions) lock when the first response arrives: the service
    and the admin refuse, and a database trigger (migration 0005) refuses an
    UPDATE that would change them once ``locked`` is set.

    Nothing here is finer than the survey itself: no time of any response;
    ``response_count`` and ``satisfaction_average`` are written once, at the
    close, when the sealed responses are opened."""

    gathering = models.OneToOneField(
        Gathering, on_delete=models.CASCADE, related_name="survey"
    )
    min_responses = models.PositiveSmallIntegerField(
        _("responses needed before results are shown"),
        default=SURVEY_MIN_RESPONSES,
    )
    duration = models.DurationField(_("open for"), default=SURVEY_DURATION)
    # The organiser's questions: [{"key", "kind", "label", "choices"}].
    questions = models.JSONField(default=list, blank=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    locked = models.BooleanField(default=False)
    # Written at the close.
    response_count = models.PositiveIntegerField(null=True, blank=True)
    satisfaction_average = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_responses__gte=SURVEY_MIN_RESPONSES_FLOOR),
                name="survey_k_floor",
            ),
            models.CheckConstraint(
                condition=Q(duration__gte=timedelta(days=1))
                & Q(duration__lte=timedelta(days=30)),
                name="survey_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return f"survey of {self.gathering_id}"


class SurveyParticipation(models.Model):
    """Who answered: one row per member and survey, written in the same
    transaction as the sealed response, with nothing that points at it (no
    time, no response key)."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="participations"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "member"], name="survey_one_response_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"participation in {self.survey_id}"


class SurveyInvitation(models.Model):
    """Who may answer: the attendees when the survey opened, organisers left
    out (they read the results, so they do not answer). Written once, at the
    open, and never changed: attendance recorded later changes neither who
    may answer nor what the results show (docs/anonymity.md)."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitations"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "member"], name="survey_one_invitation_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"invitation to {self.survey_id}"


def random_key() -> uuid.UUID:
    return uuid.uuid4()


class SealedResponse(models.Model):
    """A response while the survey is open: the answers, padded to one fixed
    size and encrypted with a key that is not in the database
    (events.services.surveys). Rows are opened, shuffled and replaced by
    SurveyResponse rows in one transaction at the close."""

    id = models.UUIDField(primary_key=True, default=random_key, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    box = models.BinaryField()

    def __str__(self) -> str:
        return "sealed response"


class SurveyResponse(models.Model):
    """An opened response: the answers and the survey, nothing else. The
    random primary key and the shuffled insertion at the close leave no
    order that follows arrival (tests/events/test_anonymity.py pins the
    columns)."""

    id = models.UUIDField(primary_key=True, default=random_key, editable=False)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses"
    )
    answers = models.JSONField()

    def __str__(self) -> str:
        return "survey response"


class PathVisibility(models.TextChoices):
    PRIVATE = "private", _("Only me")
    COMMUNITY = "community", _("Community members")
    PUBLIC = "public", _("Everyone")


class PathKind(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    HOSTED = "hosted", _("Hosted")
    HELPFUL = "helpful", _("Helpful answer")
    TAKEAWAY = "takeaway", _("Takeaway")


class Takeaway(models.Model):
    """What an attendee took from a gathering: private unless they choose
    otherwise; never part of the anonymous survey."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="takeaways"
    )
    gathering = models.ForeignKey(
        Gathering, on_delete=models.CASCADE, related_name="takeaways"
    )
    learned = models.TextField(_("what I learned"), max_length=2000)
    will_apply = models.TextField(_("what I will apply"), max_length=2000, blank=True)
    visibility = models.CharField(
        _("who can see it"),
        max_length=10,
        choices=PathVisibility.choices,
        default=PathVisibility.PRIVATE,
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "gathering"], name="takeaway_one_per_gathering"
            )
        ]

    def __str__(self) -> str:
        return f"takeaway of {self.member_id} on {self.gathering_id}"


class PathItemVisibility(models.Model):
    """A member's choice of who sees one item of their path (a gathering
    attended or hosted, a helpful answer); without a row the item has its
    kind's default (events.selectors.PATH_DEFAULTS). Takeaways carry their
    own."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=PathKind.choices)
    object_id = models.PositiveBigIntegerField()
    visibility = models.CharField(max_length=10, choices=PathVisibility.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "object_id"], name="path_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} of {self.member_id}"


# The kind of a path item that is an experience the member added (not a
# PathKind: those are what Moim records; an experience carries its own
# visibility, like a takeaway).
PATH_EXPERIENCE = "experience"


class ExperienceKind(models.TextChoices):
    JOB = "job", _("Job")
    PROJECT = "project", _("Project")
    PROGRAMME = "programme", _("Programme or course")
    TALK = "talk", _("Talk given")


class Experience(models.Model):
    """Something a member did outside Moim and adds to their path: a job, a
    project, a programme or a talk, by month (as careers are written; no
    end: ongoing), with what they learned and its skills (slugs of
    events.skills.SKILLS) and free tags (normalised by
    events.services.experiences). Private unless the member chooses
    otherwise."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="experiences"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ExperienceKind.choices)
    title = models.CharField(_("title"), max_length=120)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    # The first day of the month.
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    learned = models.TextField(_("what I learned"), max_length=2000, blank=True)
    skills = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    visibility = models.CharField(
        _("who can see it"),
        max_length=10,
        choices=PathVisibility.choices,
        default=PathVisibility.PRIVATE,
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="experience_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["member", "started_on"])]

    def __str__(self) -> str:
        return f"experience {self.pk} of {self.member_id}"


# ---------------------------------------------------------------------------
# The follow-up: weeks after a gathering, did the takeaway turn into action?
# (docs/anonymity.md, "The follow-up").
# ---------------------------------------------------------------------------


class FollowUpAnswer(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("followup", "Applied it")
    PARTLY = "partly", pgettext_lazy("followup", "Partly")
    NOT_YET = "not_yet", pgettext_lazy("followup", "Not yet")


class FollowUpRound(models.Model):
    """The follow-up of one gathering: asked once, to every attendee who
    kept a takeaway, all at the same moment; open to answers until
    ``closes_at``; closed once, when the answers are counted. Nothing here
    is finer than the gathering: ``answered_count`` is written at the
    close."""

    gathering = models.OneToOneField(
        Gathering, on_delete=models.CASCADE, related_name="followup_round"
    )
    # k, copied from the gathering's survey when asked.
    min_answers = models.PositiveSmallIntegerField()
    asked_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    closed = models.BooleanField(default=False)
    answered_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(min_answers__gte=SURVEY_MIN_RESPONSES_FLOOR),
                name="followup_k_floor",
            ),
        ]

    def __str__(self) -> str:
        return f"follow-up of {self.gathering_id}"


class FollowUp(models.Model):
    """One member's follow-up question and their own copy of the answer:
    theirs, shown on their path under their takeaway's visibility. The
    answer and note are sealed (one fixed size, a key not in the database),
    so a database reader sees who answered, never what. One row per member
    and gathering: asking twice asks nobody twice."""

    round = models.ForeignKey(
        FollowUpRound, on_delete=models.CASCADE, related_name="followups"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    box = models.BinaryField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member"], name="followup_once_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"follow-up of {self.member_id} in {self.round_id}"


class FollowUpOutcome(models.Model):
    """One answer as organisers count it: the round and the answer, nothing
    else. Written at the close only, from k answers, in one shuffled bulk
    insert under random keys (tests/events/test_followup_anonymity.py)."""

    id = models.UUIDField(primary_key=True, default=random_key, editable=False)
    round = models.ForeignKey(
        FollowUpRound, on_delete=models.CASCADE, related_name="outcomes"
    )
    answer = models.CharField(max_length=8, choices=FollowUpAnswer.choices)

    def __str__(self) -> str:
        return "follow-up outcome"


class BeaconRoundRecord(models.Model):
    """A drand quicknet round that staff entered by hand, for a server that
    cannot reach drand (``manage.py beacon_enter``). Stored only once its
    signature verifies against the chain's pinned public key
    (events.services.beacon.beacon_round_enter); ``events.beacon.round_fetch``
    looks here before asking a relay, and checks the row again."""

    chain_hash = models.CharField(max_length=64)
    round = models.PositiveBigIntegerField()
    # Lowercase hex, as drand's API and the draw record write them.
    randomness = models.CharField(max_length=64)
    signature = models.CharField(max_length=96)
    entered_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["chain_hash", "round"], name="beacon_round_once_per_chain"
            ),
            models.CheckConstraint(
                condition=Q(round__gte=1), name="beacon_round_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"quicknet round {self.round}"


class MessageSegment(models.TextChoices):
    """Whom an organiser's message goes to, among a gathering's applicants
    (``events.access.segment_filter`` says who is in each)."""

    ALL = "all", _("All applicants")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CONFIRMED = "confirmed", _("Confirmed")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-shows")


class MessageStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")
    # Refused at send time: the video link check failed then (the link or
    # the segment changed after it was scheduled).
    REFUSED = "refused", _("Not sent")


class GatheringMessage(models.Model):
    """A message an organiser writes to a segment of a gathering's
    applicants, sent now or at ``send_at``. Its recipients are resolved when
    it is sent (``events.services.messages.message_deliver``), not when it
    is written: a segment means who is in it at that moment."""

    gathering = models.ForeignKey(
        Gathering, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    segment = models.CharField(max_length=12, choices=MessageSegment.choices)
    subject = models.CharField(max_length=120)
    # As written (Markdown), and rendered once through the sanitising
    # renderer (community.markdown).
    body = models.TextField()
    body_html = models.TextField()
    send_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.SCHEDULED
    )
    recipient_count = models.PositiveIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-send_at", "-pk"]
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self) -> str:
        return f"message {self.pk} of gathering {self.gathering_id}"


class MessageDelivery(models.Model):
    """That a message reached a member: one row per (message, member), so a
    send that runs twice, or after a worker restarted, tells nobody twice
    (the notification and the mail are queued in the transaction that
    writes the row)."""

    message = models.ForeignKey(
        GatheringMessage, on_delete=models.CASCADE, related_name="deliveries"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    delivered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "member"], name="message_delivered_once"
            )
        ]

    def __str__(self) -> str:
        return f"message {self.message_id} to {self.member_id}"


# ---------------------------------------------------------------------------
# Series: a gathering that repeats (docs/series.md).
# ---------------------------------------------------------------------------

# A series makes at most this many gatherings, the one it was set on
# included, and ends at most this long after that one starts.
SERIES_MAX_OCCURRENCES = 26
SERIES_MAX_SPAN = timedelta(days=366)
# Occurrences that start within this much of now exist as gatherings; the
# series' job (events.services.series) makes the next ones as time passes.
SERIES_HORIZON = timedelta(weeks=8)


class SeriesRule(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    BIWEEKLY = "biweekly", _("Every other week")
    # The same weekday of the month: "the 2nd Tuesday"; a 5th weekday is
    # read as "the last", which every month has (events.recurrence).
    MONTHLY = "monthly", _("Every month, same weekday")


class Series(models.Model):
    """A gathering repeated by a rule: the gathering it was set on (the
    template, occurrence 0) and the rule that dates the others. Each
    occurrence is a gathering of its own, with its own applications,
    commitment and draw, linked through SeriesOccurrence, so that the
    guarded events_gathering table keeps its columns (and its triggers)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    template = models.OneToOneField(
        Gathering, on_delete=models.CASCADE, related_name="+"
    )
    rule = models.CharField(_("repeats"), max_length=10, choices=SeriesRule.choices)
    # Occurrence 0's start, fixed when the series is set: editing the
    # template's time later moves no other occurrence's date.
    starts_at = models.DateTimeField()
    # Exactly one of them bounds the series (the constraint below).
    count = models.PositiveSmallIntegerField(_("occurrences"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    # Occurrences are published as they are made (their windows as the
    # template's, relative to their own start), or left as drafts.
    publish = models.BooleanField(_("publish each one automatically"), default=True)
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # When the next occurrence enters the horizon (None: none will).
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        constraints = [
            models.CheckConstraint(
                condition=(Q(count__isnull=True) & Q(until__isnull=False))
                | (
                    Q(count__isnull=False)
                    & Q(until__isnull=True)
                    & Q(count__gte=2)
                    & Q(count__lte=SERIES_MAX_OCCURRENCES)
                ),
                name="series_bounded_once",
            )
        ]

    def __str__(self) -> str:
        return f"series of {self.template_id}"


class SeriesOccurrence(models.Model):
    """Occurrence ``index`` of a series is ``gathering``. The unique
    constraints make a job that runs twice, or two at once, make it once."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="occurrences"
    )
    index = models.PositiveSmallIntegerField()
    gathering = models.OneToOneField(
        Gathering, on_delete=models.CASCADE, related_name="series_occurrence"
    )

    class Meta:
        ordering = ["series", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "index"], name="series_occurrence_once"
            )
        ]

    def __str__(self) -> str:
        return f"occurrence {self.index} of {self.series_id}"


class CredentialKind(models.TextChoices):
    """What a credential says of its member: the path's kinds that a record
    of Moim's backs (a takeaway is the member's own word, never vouched
    for)."""

    ATTENDED = "attended", _("Attended")
    HOSTED = "hosted", _("Hosted")
    HELPFUL = "helpful", _("Helpful answer")


class Credential(models.Model):
    """A credential the member issued to themself (events.credentials): a
    signed Open Badge of one item of their path, in the words they chose
    to include. ``token`` is the signed copy handed out (a compact VC-JWT);
    ``status_index`` its bit in the site's status list, never given to
    another credential, so revoking one touches no other."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="credentials"
    )
    kind = models.CharField(max_length=10, choices=CredentialKind.choices)
    # The gathering attended or hosted, or the thread whose helpful answer
    # the member wrote; kept by number (the signed copy says what it was).
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=200)
    token = models.TextField()
    kid = models.CharField(max_length=64)
    status_index = models.PositiveIntegerField(unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "pk"]
        constraints = [
            # One credential in force per item: issuing again needs the
            # first one revoked.
            models.UniqueConstraint(
                fields=["member", "kind", "object_id"],
                condition=Q(revoked_at__isnull=True),
                name="credential_one_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"credential {self.pk} of {self.member_id}"


class AnnouncementBatch(models.Model):
    """The gatherings a community published within a few minutes of each
    other, announced together: the first publish opens a batch due
    ``ANNOUNCE_AFTER`` later, the next ones join it, and each member gets
    one mail listing them all (events.services.announcements). Sending
    closes it first (``closed_at``): a gathering published while it is being
    sent opens the next batch rather than joining one whose members are
    already being told."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(closed_at__isnull=True),
                name="announcement_one_open_batch",
            )
        ]

    def __str__(self) -> str:
        return f"announcements of {self.community_id} due {self.due_at}"


class GatheringAnnouncement(models.Model):
    """That a published gathering is (to be) announced, in which batch: a
    gathering is announced once, whatever is published again."""

    gathering = models.OneToOneField(
        Gathering, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    batch = models.ForeignKey(
        AnnouncementBatch, on_delete=models.CASCADE, related_name="announcements"
    )

    def __str__(self) -> str:
        return f"announcement of {self.gathering_id}"


class AnnouncementDelivery(models.Model):
    """That a member was told of a batch, written in the transaction that
    stores the notification and queues the mail: a batch sent again after
    a worker died tells nobody twice."""

    batch = models.ForeignKey(
        AnnouncementBatch, on_delete=models.CASCADE, related_name="+"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "member"], name="announcement_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"batch {self.batch_id} to {self.member_id}"

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.names import BuiltinNameField
from community.roles import ExperienceBand, JobRole


def new_public_id() -> str:
    """An opaque, URL-safe handle, so that member URLs reveal neither the
    order of sign-up nor the number of members."""
    return secrets.token_urlsafe(8)


class MemberManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("A member needs an email address.")
        member = self.model(email=self.normalize_email(email).lower(), **fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class DisplayMode(models.TextChoices):
    REAL_NAME = "real_name", _("Real name")
    NICKNAME = "nickname", _("Nickname")
    # A member who left (community.services.leaving): shown as "former
    # member" wherever their posts stay. Set on the row every page already
    # reads, so no page loads another column to tell.
    FORMER = "former", _("Former member")


class Member(AbstractBaseUser, PermissionsMixin):
    """A person with an account: identity (email login) and profile in one
    row, so that showing a member never needs a join."""

    # Stored lower-cased (allauth and the manager normalise it).
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id)
    real_name = models.CharField(_("real name"), max_length=50)
    nickname = models.CharField(_("nickname"), max_length=20, blank=True)
    # Case-folded, NFKC-normalised nickname: what uniqueness is decided on.
    nickname_key = models.CharField(max_length=20, null=True, blank=True, unique=True)
    nickname_changed_at = models.DateTimeField(null=True, blank=True)
    display_mode = models.CharField(
        _("shown as"),
        max_length=16,
        choices=DisplayMode.choices,
        default=DisplayMode.REAL_NAME,
    )
    role = models.CharField(
        _("job role"), max_length=40, choices=JobRole.choices, blank=True
    )
    experience = models.CharField(
        _("experience"), max_length=8, choices=ExperienceBand.choices, blank=True
    )
    company = models.CharField(_("company"), max_length=80, blank=True)
    bio = models.TextField(_("about me"), max_length=500, blank=True)
    # The key of the member's picture in the default storage
    # (community.images): its sizes are files named after it. Empty: the
    # drawn default (community.templatetags.faces).
    avatar = models.CharField(max_length=60, blank=True, editable=False)
    show_company = models.BooleanField(
        _("show my company on my profile"), default=False
    )
    # NULL, not "", when absent: the unique constraint must ignore it.
    work_email = models.EmailField(_("work email"), null=True, blank=True)  # noqa: DJ001
    work_email_pending = models.EmailField(blank=True)
    work_email_verified_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ko"
    )
    email_on_reply = models.BooleanField(_("email me replies"), default=True)
    email_on_mention = models.BooleanField(_("email me mentions"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # The versions of the required documents this member agreed to
    # (community.legal.required_key, e.g. "terms:2026-12-05 privacy:..."),
    # written with the Consent rows: every request compares it with the
    # versions in force without a query.
    legal_agreed = models.CharField(max_length=200, blank=True)
    # When the member left: their personal data was destroyed then, and the
    # row stays only as the author of what they wrote (docs/privacy.md).
    left_at = models.DateTimeField(null=True, blank=True)

    objects = MemberManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["real_name"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                Lower("work_email"), name="member_work_email_unique_ci"
            ),
            models.CheckConstraint(
                condition=~models.Q(display_mode="nickname") | ~models.Q(nickname=""),
                name="member_nickname_mode_has_nickname",
            ),
        ]

    def __str__(self) -> str:
        # Admin and logs only; pages use community.display.display_name.
        return f"{self.real_name} <{self.email}>"

    @property
    def needs_onboarding(self) -> bool:
        return not self.role

    @property
    def is_work_verified(self) -> bool:
        return self.work_email_verified_at is not None and bool(self.work_email)

    @property
    def work_domain(self) -> str:
        return self.work_email.rsplit("@", 1)[1] if self.work_email else ""

    def nickname_next_change_at(self, now: datetime | None = None) -> datetime | None:
        """When the nickname may change again, or None if it may now."""
        if not self.nickname_changed_at:
            return None
        cooldown = timedelta(days=settings.MOIM_NICKNAME_COOLDOWN_DAYS)
        next_at = self.nickname_changed_at + cooldown
        return next_at if next_at > (now or timezone.now()) else None


class NicknameHistory(models.Model):
    """A nickname a member used before: kept for moderators, and reserved so
    that nobody else can take it up and pass for its former holder."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="nickname_history"
    )
    nickname = models.CharField(max_length=20)
    nickname_key = models.CharField(max_length=20, db_index=True)
    used_from = models.DateTimeField()
    used_until = models.DateTimeField()

    class Meta:
        ordering = ["-used_until"]
        verbose_name = _("earlier nickname")
        verbose_name_plural = _("earlier nicknames")

    def __str__(self) -> str:
        return self.nickname


class PostPolicy(models.TextChoices):
    VERIFIED = "verified", _("Any verified member")
    MATCHING_ROLE = "matching_role", _("Members whose job role matches")
    WORK_VERIFIED = "work_verified", _("Members verified at work")


class Community(models.Model):
    """A space for one job role: boards, members, moderators, gatherings."""

    # A role community's built-in name is shown translated (community/names.py).
    name = BuiltinNameField(
        _("name"), max_length=80, catalogue="role community", key_field="role"
    )
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    role = models.CharField(_("job role"), max_length=40, choices=JobRole.choices)
    description = models.TextField(_("description"), blank=True)
    rules = models.TextField(_("rules"), blank=True)
    requires_real_names = models.BooleanField(_("real names required"), default=False)
    post_policy = models.CharField(
        _("who may post"),
        max_length=20,
        choices=PostPolicy.choices,
        default=PostPolicy.VERIFIED,
    )
    public_read = models.BooleanField(_("non-members may read"), default=True)
    member_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
    OWNER = "owner", _("Owner")


class Membership(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="memberships"
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        max_length=12, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "member"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.community_id} ({self.role})"

    @property
    def is_moderator(self) -> bool:
        return self.role in {MembershipRole.MODERATOR, MembershipRole.OWNER}


class SanctionKind(models.TextChoices):
    BAN = "ban", _("Ban")
    MUTE = "mute", _("Mute")


class Sanction(models.Model):
    """A ban (no access) or mute (read only) in one community, until ends_at
    (None: until lifted)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="sanctions"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SanctionKind.choices)
    reason = models.CharField(_("reason"), max_length=300)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["community", "member", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.member_id}@{self.community_id}"


class Board(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="boards"
    )
    slug = models.SlugField(max_length=40)
    # The default boards' names are shown translated (community/names.py).
    name = BuiltinNameField(
        _("name"), max_length=40, catalogue="board", key_field="slug"
    )
    description = BuiltinNameField(
        _("description"),
        max_length=200,
        blank=True,
        catalogue="board description",
        key_field="slug",
    )
    allows_promotion = models.BooleanField(_("promotion allowed"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="board_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ThreadTag(models.TextChoices):
    QUESTION = "question", _("Question")
    INFO = "info", _("Information")
    REVIEW = "review", _("Review")
    DISCUSSION = "discussion", _("Discussion")
    PROMOTION = "promotion", _("Promotion")


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden by a moderator")
    DELETED = "deleted", _("Deleted by its author")


class Thread(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="threads"
    )
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="threads")
    tag = models.CharField(_("tag"), max_length=12, choices=ThreadTag.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("body"))
    body_html = models.TextField()
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    helpful_comment = models.ForeignKey(
        "Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment_count = models.PositiveIntegerField(default=0)
    empathy_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    # log10(engagement) + creation time / 45,000 s: ordering by it favours
    # engaging threads but lets every thread sink as newer ones arrive, with
    # no periodic recomputation (see hot_score()).
    hot_score = models.FloatField(default=0.0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["community", "visibility", "-hot_score"]),
            models.Index(fields=["community", "visibility", "-last_activity_at"]),
            # A board's latest threads, pinned first
            # (selectors.threads.thread_list): read in index order, 20 rows,
            # instead of sorting the board.
            models.Index(
                fields=["board", "visibility", "-is_pinned", "-last_activity_at", "-id"]
            ),
            models.Index(fields=["author", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="comments"
    )
    # One level of replies: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField(_("comment"))
    body_html = models.TextField()
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    empathy_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "created_at"]),
            models.Index(fields=["author", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on thread {self.thread_id}"


class ThreadRead(models.Model):
    """How far a member has read a thread: the highest comment id a thread
    page showed them (0: opened before any comment), and when. One row per
    member and thread, moved forward only (services.unread), never a row
    per comment; what is unread or new is counted from it
    (selectors.unread)."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="thread_reads"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    last_comment_id = models.PositiveBigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "thread"], name="thread_read_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} read {self.thread_id} to {self.last_comment_id}"


class Revision(models.Model):
    """An earlier version of a thread or comment, kept for moderators."""

    thread = models.ForeignKey(
        Thread,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    title = models.CharField(max_length=120, blank=True)
    body = models.TextField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(thread__isnull=True)
                ^ models.Q(comment__isnull=True),
                name="revision_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"revision {self.pk}"


class ReactionKind(models.TextChoices):
    EMPATHY = "empathy", _("Relatable")
    HELPFUL = "helpful", _("Helpful")


class Reaction(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(thread__isnull=True)
                ^ models.Q(comment__isnull=True),
                name="reaction_one_target",
            ),
            models.UniqueConstraint(
                fields=["member", "thread", "kind"],
                condition=models.Q(thread__isnull=False),
                name="reaction_thread_unique",
            ),
            models.UniqueConstraint(
                fields=["member", "comment", "kind"],
                condition=models.Q(comment__isnull=False),
                name="reaction_comment_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.member_id}"


class Bookmark(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="bookmarks"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "thread"], name="bookmark_unique")
        ]

    def __str__(self) -> str:
        return f"bookmark {self.member_id} → {self.thread_id}"


class NotificationKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    MENTION = "mention", _("Mention")
    HELPFUL = "helpful", _("Helpful answer")
    MODERATION = "moderation", _("Moderation")
    GATHERING = "gathering", _("Gathering")
    MESSAGE = "message", _("Message from organisers")
    # A new post in a thread, board or community the recipient watches
    # (community.follows).
    POST = "post", _("New post")


class Notification(models.Model):
    recipient = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The sentence as facts, said in the reader's language when read
    # (community/facts.py): its source text (msgid) and parameters.
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # Rows from before ``message``: their sentence as it was rendered, in
    # the language of the day (shown only when no message could be
    # recovered from it).
    detail = models.CharField(max_length=300, blank=True)
    # Where the notification leads when it is not about a thread (e.g. a
    # gathering page): a site-relative path, never a secret.
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Mention(models.Model):
    """A member named in a thread or a comment, recorded once: they are
    notified the first time a post names them, and never again for that
    post, however often an edit removes and restores the name."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    # Set for a mention in a comment; empty for one in the thread itself.
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "member"],
                condition=models.Q(comment__isnull=True),
                name="mention_once_per_thread",
            ),
            models.UniqueConstraint(
                fields=["comment", "member"],
                condition=models.Q(comment__isnull=False),
                name="mention_once_per_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"mention of {self.member_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTIONED = "actioned", _("Action taken")
    DISMISSED = "dismissed", _("Dismissed")


class Report(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(thread__isnull=True)
                ^ models.Q(comment__isnull=True),
                name="report_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"report {self.pk} ({self.status})"


class ModerationAction(models.TextChoices):
    HIDE = "hide", _("Hid content")
    RESTORE = "restore", _("Restored content")
    LOCK = "lock", _("Locked a thread")
    UNLOCK = "unlock", _("Unlocked a thread")
    PIN = "pin", _("Pinned a thread")
    UNPIN = "unpin", _("Unpinned a thread")
    BAN = "ban", _("Banned a member")
    MUTE = "mute", _("Muted a member")
    LIFT = "lift", _("Lifted a sanction")
    DISMISS = "dismiss", _("Dismissed a report")
    ROLE = "role", _("Changed a member's role")
    CHAT_DELETE = "chat_del", _("Deleted a chat message")
    CHAT_MUTE = "chat_mute", _("Muted a member in a chat room")
    CHAT_PIN = "chat_pin", _("Pinned a chat announcement")
    CHAT_UNPIN = "chat_unpin", _("Unpinned a chat announcement")
    # An organiser's message to a gathering's applicants (events.services.
    # messages): written, sent, cancelled, or refused at send time.
    MESSAGE = "message", _("Wrote to applicants")
    MESSAGE_SENT = "msg_sent", _("Sent a message to applicants")
    MESSAGE_CANCEL = "msg_cancel", _("Cancelled a message to applicants")
    MESSAGE_REFUSED = "msg_refuse", _("A message to applicants was not sent")


class AuditEntry(models.Model):
    """One moderator action, readable by the community's moderators. Never
    edited or deleted."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="audit_entries"
    )
    moderator = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=ModerationAction.choices)
    target_member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chat_message = models.ForeignKey(
        "realtime.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.moderator_id}"


class ConsentPurpose(models.TextChoices):
    TERMS = "terms", _("Terms of service")
    PRIVACY = "privacy", _("Collection and use of personal information")
    AGE = "age_14", _("Being 14 or older")
    MARKETING = "marketing", _("Email news from Moim")


class ConsentSource(models.TextChoices):
    """How a consent was given."""

    SIGNUP = "signup", _("At sign-up")
    SOCIAL_SIGNUP = "social_signup", _("At sign-up with another service")
    RECONSENT = "reconsent", _("On a new version")
    SETTINGS = "settings", _("In the settings")
    RECONFIRM = "reconfirm", _("Confirmed again")
    DEMO = "demo", _("Demo data")


class ConsentEnd(models.TextChoices):
    """Why a consent ended."""

    WITHDRAWN = "withdrawn", _("Withdrawn by the member")
    LAPSED = "lapsed", _("Lapsed, not confirmed again")
    RENEWED = "renewed", _("Replaced by a confirmation")


class Consent(models.Model):
    """A member's yes to one purpose (a document, the age confirmation, email
    news), in one version of its text, and when it was given and ended.
    Rows are never rewritten but to end them: a new version of a document,
    a re-confirmation or giving consent again after a withdrawal adds a row,
    so the history of what the member agreed to stays whole. Written only
    through community.services.consents."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(max_length=16, choices=ConsentPurpose.choices)
    # The version of the document the purpose belongs to (community.legal).
    version = models.CharField(max_length=20)
    given_at = models.DateTimeField(default=timezone.now)
    how = models.CharField(max_length=16, choices=ConsentSource.choices)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=12, choices=ConsentEnd.choices, blank=True)
    # When the member was asked to confirm email news again (two years).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["given_at", "pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "purpose", "version"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_standing_per_version",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True, ended_by="")
                | (models.Q(withdrawn_at__isnull=False) & ~models.Q(ended_by="")),
                name="consent_end_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["purpose", "given_at"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_standing_by_age",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.version} of {self.member_id}"


class DataExportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class DataExport(models.Model):
    """A member's request for everything Moim holds about them: a ZIP in
    the private storage (never served by the web server), downloaded
    through a signed link bound to the member, until ``expires_at``."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(
        max_length=8,
        choices=DataExportStatus.choices,
        default=DataExportStatus.PENDING,
    )
    # A random name in the private storage; empty until the file exists and
    # again once it is deleted.
    file_name = models.CharField(max_length=100, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["member", "-requested_at"])]

    def __str__(self) -> str:
        return f"data export {self.pk} of {self.member_id}"


class NotificationTopic(models.TextChoices):
    """What a member can switch on or off, per channel, on the notification
    settings page (community.preferences holds the defaults and the one
    rule). Mail that a member needs to use Moim (sign-in, a seat offer with
    a deadline, draw results, cancellations, moderation decisions, a data
    export) has no topic: it always goes out."""

    REPLY = "reply", _("Replies to my posts")
    MENTION = "mention", _("Mentions of me")
    HELPFUL = "helpful", _("My answer chosen as helpful")
    GATHERING_NEW = "gathering_new", _("New gatherings in my communities")
    GATHERING_REMINDER = "reminder", _("Reminders before gatherings I attend")
    ORGANISER_MESSAGE = "message", _("Messages from organisers")
    FOLLOW_UP = "followup", _("Whether I applied my takeaways, weeks later")
    WATCHED_POST = "watched", _("New posts in what I watch")
    DIGEST = "digest", _("The digest")
    # Push only (community.push): the in-app notice and the mail of these
    # always go out (a seat offer is transactional) or belong to the
    # reminder topic; the push to a phone is what can be switched.
    SEAT_OFFER = "offer", _("A seat offered to me")
    LINK_RELEASE = "link", _("The join link of a gathering I attend is open")
    GATHERING_START = "start", _("A gathering I attend starts soon")


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("On Moim")
    EMAIL = "email", _("Email")
    PUSH = "push", _("Push")


class NotificationPreference(models.Model):
    """A member's choice for one topic on one channel, stored only where it
    differs from the default (community.preferences.DEFAULTS): most
    members have no row at all."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    topic = models.CharField(max_length=16, choices=NotificationTopic.choices)
    channel = models.CharField(max_length=8, choices=NotificationChannel.choices)
    enabled = models.BooleanField()
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "topic", "channel"],
                name="notification_preference_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["topic", "channel", "enabled"],
                name="notification_pref_by_topic",
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic}/{self.channel}={self.enabled} of {self.member_id}"


class DigestFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    DAILY = "daily", _("Daily")
    OFF = "off", _("Off")


class DigestSetting(models.Model):
    """How often a member gets the digest, stored only when it is not the
    default (weekly)."""

    member = models.OneToOneField(
        Member,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="digest_setting",
    )
    frequency = models.CharField(max_length=8, choices=DigestFrequency.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"digest {self.frequency} of {self.member_id}"


class DigestSent(models.Model):
    """One row per member and period (``2026-W49`` for a weekly digest,
    ``2026-12-05`` for a daily one), written in the transaction that queues
    the mail: a digest job run twice, or again after a worker died
    mid-run, sends nobody a second digest for the same period."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    sent_at = models.DateTimeField(default=timezone.now)
    # False when there was nothing to tell: the period is done all the same.
    mailed = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "period"], name="digest_sent_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"digest {self.period} of {self.member_id}"


class FollowLevel(models.TextChoices):
    """How closely a member follows a community, a board or a thread, as
    Discourse has it (community.follows holds the defaults and the rule)."""

    WATCHING = "watching", _("Watching")
    TRACKING = "tracking", _("Tracking")
    NORMAL = "normal", _("Normal")
    MUTED = "muted", _("Muted")


class Follow(models.Model):
    """A member's chosen level for one community, board or thread, stored
    only when they chose one: the defaults (community.follows) need no row."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(max_length=8, choices=FollowLevel.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        community__isnull=False, board__isnull=True, thread__isnull=True
                    )
                    | models.Q(
                        community__isnull=True, board__isnull=False, thread__isnull=True
                    )
                    | models.Q(
                        community__isnull=True, board__isnull=True, thread__isnull=False
                    )
                ),
                name="follow_one_target",
            ),
            models.UniqueConstraint(
                fields=["member", "community"],
                condition=models.Q(community__isnull=False),
                name="follow_community_unique",
            ),
            models.UniqueConstraint(
                fields=["member", "board"],
                condition=models.Q(board__isnull=False),
                name="follow_board_unique",
            ),
            models.UniqueConstraint(
                fields=["member", "thread"],
                condition=models.Q(thread__isnull=False),
                name="follow_thread_unique",
            ),
        ]
        # The sender's questions: who chose a level for this thread, board
        # or community (the member-first questions use the unique indexes).
        indexes = [
            models.Index(fields=["thread", "level"], name="follow_by_thread"),
            models.Index(fields=["board", "level"], name="follow_by_board"),
            models.Index(fields=["community", "level"], name="follow_by_community"),
        ]

    def __str__(self) -> str:
        target = self.thread_id or self.board_id or self.community_id
        return f"{self.level} {target} by {self.member_id}"


class PushSubscription(models.Model):
    """One device (a browser's service worker) that receives a member's web
    push notifications (community.push): where the push service takes the
    message (``endpoint``, https) and the keys it is encrypted for (RFC
    8291). Removed when the member removes it, when the push service says
    it is gone (404 or 410), and with the member."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1024, unique=True)
    # The browser's P-256 public key (65 bytes) and auth secret (16 bytes),
    # base64url as the Push API gives them.
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)
    # "Chrome on Android": the browser and system, for the member's list of
    # devices; never the whole User-Agent string.
    label = models.CharField(max_length=64, blank=True)
    # SHA-256 of the key of the session that subscribed (community.push.
    # session_digest; a session key is a bearer secret, never stored): the
    # device stops receiving when that session ends (signed out there, or
    # from the devices page).
    session_digest = models.CharField(max_length=64, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"push subscription {self.pk} of {self.member_id}"

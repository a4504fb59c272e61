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
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

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


class Community(models.Model):
    """A space for one job role. Boards, membership and gatherings hang off
    it."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    role = models.CharField(_("job role"), max_length=40, choices=JobRole.choices)
    description = models.TextField(_("description"), blank=True)
    requires_real_names = models.BooleanField(_("real names required"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name

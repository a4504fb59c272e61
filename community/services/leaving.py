"""Leaving Moim (회원 탈퇴): the member's personal data is destroyed at once;
what they wrote for others stays, shown as "former member". docs/privacy.md
lists what is kept, why and for how long; tests/community/test_leaving.py
checks every column of every table against it."""

from datetime import datetime
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from community.images import AVATAR, image_delete
from community.models import (
    Bookmark,
    Community,
    DigestSent,
    DigestSetting,
    DisplayMode,
    Follow,
    Member,
    Membership,
    Mention,
    NicknameHistory,
    Notification,
    NotificationPreference,
    PushSubscription,
    ThreadRead,
)
from community.services.personal_data import data_exports_delete
from events.models import (
    AnnouncementDelivery,
    CalendarFeed,
    Experience,
    FollowUp,
    PathItemVisibility,
    Takeaway,
)
from events.services.credentials import credentials_forget
from events.services.leaving import gatherings_leave
from realtime.broadcast import member_sockets_close
from realtime.models import Presence

# Tables deleted with the member where they exist, by (app label, model,
# the field naming the member): allauth's email addresses, provider links
# (their tokens go with them), two-factor authenticators and tracked
# sessions, each when its app is installed; the member's consents.
OPTIONAL_TABLES = (
    ("account", "EmailAddress", "user"),
    ("socialaccount", "SocialAccount", "user"),
    ("mfa", "Authenticator", "user"),
    ("usersessions", "UserSession", "user"),
    ("community", "Consent", "member"),
)
EMAIL_TASK = "community.tasks.email_send"


def member_delete(*, member: Member, now: datetime | None = None) -> Member:
    """Destroy ``member``'s personal data and close the account for good.

    The row stays, anonymised, as the author of what they wrote (threads,
    comments, chat messages) and in the records others rely on (draw
    records, moderation records); every personal column is blanked, the
    password made unusable and the account inactive, so nobody can sign in
    to it again. Applications still waiting for or holding a seat end
    through the seat service (``events.services.leaving``). Runs in one
    transaction under the member's row lock; running it again changes
    nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.left_at is not None:
            return locked
        email = locked.email
        # Before is_active turns off: the seat service still sees the
        # member as they were while it ends their applications.
        gatherings_leave(member=locked, now=now)
        _memberships_end(locked)
        for model in (
            NicknameHistory,
            Bookmark,
            Mention,
            Presence,
            NotificationPreference,
            DigestSetting,
            DigestSent,
            Follow,
            AnnouncementDelivery,
            PushSubscription,
            ThreadRead,
        ):
            model.objects.filter(member=locked).delete()
        Notification.objects.filter(recipient=locked).delete()
        CalendarFeed.objects.filter(member=locked).delete()
        Takeaway.objects.filter(member=locked).delete()
        Experience.objects.filter(member=locked).delete()
        credentials_forget(member=locked)
        # Their own follow-up answers; the anonymous counts stay, nobody's.
        FollowUp.objects.filter(member=locked).delete()
        PathItemVisibility.objects.filter(member=locked).delete()
        data_exports_delete(member=locked)
        for app_label, model_name, field in OPTIONAL_TABLES:
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:  # not installed
                continue
            model.objects.filter(**{field: locked}).delete()
        _anonymise(locked, now)
        _admin_log_forget(locked)
        _sessions_delete(locked.pk)
        _queued_mail_delete(email)
        member_sockets_close(member_id=locked.pk)
    member.refresh_from_db()
    return member


def _memberships_end(member: Member) -> None:
    """Out of every community, its member count down by one (an owner too:
    leaving Moim cannot wait for a hand-over)."""
    community_ids = list(
        Membership.objects.filter(member=member).values_list("community_id", flat=True)
    )
    Membership.objects.filter(member=member).delete()
    Community.objects.filter(pk__in=community_ids, member_count__gt=0).update(
        member_count=F("member_count") - 1
    )


def _anonymise(member: Member, now: datetime) -> None:
    """Every personal column blanked. The email must stay unique and
    non-empty: a name made of the public id, under a domain that can never
    receive mail (RFC 2606's .invalid)."""
    member.email = f"{member.public_id}@left.invalid"
    member.password = make_password(None)
    member.last_login = None
    member.real_name = ""
    member.nickname = ""
    member.nickname_key = None
    member.nickname_changed_at = None
    member.display_mode = DisplayMode.FORMER
    member.role = ""
    member.experience = ""
    member.company = ""
    member.bio = ""
    member.show_company = False
    if member.avatar:
        picture = member.avatar
        transaction.on_commit(lambda: image_delete(key=picture, kind=AVATAR))
    member.avatar = ""
    member.work_email = None
    member.work_email_pending = ""
    member.work_email_verified_at = None
    member.language = "ko"
    member.email_on_reply = False
    member.email_on_mention = False
    member.is_active = False
    member.is_staff = False
    member.is_superuser = False
    # The day of joining would tell who the account was, with the posts.
    member.date_joined = now
    member.left_at = now
    member.save()
    member.groups.clear()
    member.user_permissions.clear()


def _admin_log_forget(member: Member) -> None:
    """The admin's history names an edited member by their ``str()`` (name
    and email): entries about the member keep what was done, not who."""
    if not apps.is_installed("django.contrib.admin"):
        return
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Member),
        object_id=str(member.pk),
    ).update(object_repr=member.public_id, change_message="")


def _sessions_delete(member_id: int) -> None:
    """Every stored session signed in as the member. The unusable password
    already invalidates them (the session hash); deleting them also drops
    what they held. Sessions are opaque, so each live one is decoded."""
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if session.get_decoded().get("_auth_user_id") == str(member_id)
    ]
    # Through the session engine, so that a cached copy goes with the row
    # (community.sessions).
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    for session_key in doomed:
        store.delete(session_key)


def _queued_mail_delete(email: str) -> None:
    """Mail to the member that the worker has not sent yet is not sent, and
    sent mail's records forget the address (the database task queue keeps
    a finished task's arguments)."""
    if not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult

    doomed = [
        result.pk
        for result in DBTaskResult.objects.filter(task_path=EMAIL_TASK)
        .exclude(status="RUNNING")
        .only("pk", "args_kwargs")
        if email in (result.args_kwargs.get("kwargs", {}).get("to") or [])
    ]
    DBTaskResult.objects.filter(pk__in=doomed).delete()

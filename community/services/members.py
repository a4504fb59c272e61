"""Writes to members and their profiles."""

import contextlib
import re
import unicodedata
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from community.access import access_for
from community.errors import CommunityError
from community.freemail import is_free_mail_domain
from community.images import AVATAR, image_delete, image_store
from community.mail import mail_member
from community.models import Community, DisplayMode, Member, NicknameHistory
from community.services.communities import community_join
from community.timefmt import local_format

WORK_EMAIL_SALT = "moim.work-email"
# Letters of any script (Hangul included), digits, '.', '_' and '-'.
NICKNAME_MAX_LENGTH = 20
NICKNAME_PATTERN = re.compile(r"^[^\W][\w.\-]{1,19}$")


def nickname_normalise(nickname: str) -> tuple[str, str]:
    """The nickname as stored and its uniqueness key, or CommunityError.

    NFKC folds full-width and compatibility forms (so "ｍｏｉｍ" and "moim"
    collide), and the key is case-folded so "Moim" and "moim" collide too.
    """
    nickname = unicodedata.normalize("NFKC", nickname).strip()
    key = nickname.casefold()
    # Case folding can lengthen a name ("ß" → "ss"): the key must fit too.
    if (
        not NICKNAME_PATTERN.fullmatch(nickname)
        or nickname.isdigit()
        or len(key) > NICKNAME_MAX_LENGTH
    ):
        raise CommunityError("nickname_format")
    return nickname, key


def nickname_set(
    *, member: Member, nickname: str, now: datetime | None = None
) -> Member:
    """Give ``member`` a new nickname, keeping the old one in their history.

    Runs in its own transaction and locks the member's row, so two changes in
    parallel cannot both pass the cooldown. Raises CommunityError for a
    malformed, taken or too early nickname; nothing is written then.
    """
    now = now or timezone.now()
    nickname, key = nickname_normalise(nickname)
    try:
        with transaction.atomic():
            locked = Member.objects.select_for_update().get(pk=member.pk)
            if locked.nickname == nickname:
                return locked
            next_at = locked.nickname_next_change_at(now)
            if next_at is not None:
                raise CommunityError(
                    "nickname_cooldown",
                    date=local_format(next_at, "DATE"),
                )
            taken_by_other = (
                Member.objects.filter(nickname_key=key).exclude(pk=locked.pk).exists()
                or NicknameHistory.objects.filter(nickname_key=key)
                .exclude(member=locked)
                .exists()
            )
            if taken_by_other:
                raise CommunityError("nickname_taken")
            if locked.nickname:
                NicknameHistory.objects.create(
                    member=locked,
                    nickname=locked.nickname,
                    nickname_key=locked.nickname_key,
                    used_from=locked.nickname_changed_at or locked.date_joined,
                    used_until=now,
                )
            locked.nickname = nickname
            locked.nickname_key = key
            locked.nickname_changed_at = now
            locked.save(
                update_fields=["nickname", "nickname_key", "nickname_changed_at"]
            )
    except IntegrityError as exc:
        # Another member took the same key between the check and the write.
        raise CommunityError("nickname_taken") from exc
    member.refresh_from_db()
    return member


def profile_update(
    *,
    member: Member,
    real_name: str,
    display_mode: str,
    role: str,
    experience: str,
    company: str,
    show_company: bool,
    nickname: str = "",
    bio: str = "",
) -> Member:
    """Update the editable profile, and the nickname through ``nickname_set``
    when it differs. Either everything is saved or nothing is."""
    with transaction.atomic():
        if nickname and nickname != member.nickname:
            member = nickname_set(member=member, nickname=nickname)
        if display_mode == DisplayMode.NICKNAME and not member.nickname:
            raise CommunityError("nickname_required")
        member.real_name = real_name.strip()
        member.display_mode = display_mode
        member.role = role
        member.experience = experience
        member.company = company.strip()
        member.show_company = show_company
        member.bio = bio.strip()
        member.save(
            update_fields=[
                "real_name",
                "display_mode",
                "role",
                "experience",
                "company",
                "show_company",
                "bio",
            ]
        )
    return member


def member_welcome(*, member: Member) -> Community | None:
    """After the welcome form: join the member to their job role's community
    (the oldest whose pages are open to all, if any) and return it, or None
    when there is none to join (no such community, or it bans them). Already
    a member of it, they get it back unchanged. Call after the role is
    saved."""
    community = (
        Community.objects.filter(role=member.role, public_read=True)
        .order_by("created_at", "pk")
        .first()
    )
    if community is None:
        return None
    access = access_for(member, community)
    if access.banned is not None:
        return None
    if not access.is_member:
        # Joined at the same moment in another request: already a member.
        with contextlib.suppress(CommunityError):
            community_join(access=access)
    return community


def verification_email_resend(*, request: HttpRequest, email: str) -> None:
    """Send a new confirmation link to ``email`` through allauth's own flow,
    under allauth's limit per address (ACCOUNT_RATE_LIMITS "confirm_email":
    over it, nothing is sent and nothing is said). Whatever the address, the
    visitor learns nothing and at most one mail leaves, as at sign-up
    (ACCOUNT_PREVENT_ENUMERATION): an address waiting for confirmation gets
    the link, one already confirmed the "you have an account" mail, an
    unknown one the "no account here" mail."""
    from allauth.account.internal.flows.email_verification import (
        send_verification_email_to_address,
    )
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(email__iexact=email).first()
    if address is not None and not address.verified:
        send_verification_email_to_address(request, address)
        return
    send_verification_email_to_address(
        request,
        EmailAddress(user=None, email=email),
        signup=address is not None,
    )


def member_language_set(*, member: Member, language: str) -> None:
    """Remember the member's language for emails and notifications."""
    if language in dict(settings.LANGUAGES) and member.language != language:
        member.language = language
        member.save(update_fields=["language"])


def work_email_request(*, member: Member, email: str, confirm_url_for) -> None:
    """Send a signed, expiring confirmation link to a work address.

    ``confirm_url_for(token)`` builds the absolute link. A newer request
    supersedes older links. Raises CommunityError for a free-mail domain or
    the member's own sign-in address; nothing is written then.
    """
    email = email.strip()
    local, _, domain = email.rpartition("@")
    email = f"{local}@{domain.lower()}"
    if is_free_mail_domain(domain):
        raise CommunityError("work_email_free_mail", domain=domain.lower())
    if email.lower() == member.email.lower():
        raise CommunityError("work_email_same_as_login")
    if member.work_email and member.work_email.lower() == email.lower():
        raise CommunityError("work_email_already_verified")
    member.work_email_pending = email
    member.save(update_fields=["work_email_pending"])
    token = signing.dumps({"m": member.pk, "e": email}, salt=WORK_EMAIL_SALT)
    mail_member(
        to=email,
        language=member.language,
        template="community/email/work_email_confirm",
        context={
            "member": member,
            "confirm_url": confirm_url_for(token),
            "days": settings.MOIM_WORK_EMAIL_LINK_MAX_AGE // 86400,
        },
    )


def work_email_token_read(*, member: Member, token: str) -> str:
    """The address a confirmation link confirms for ``member``, or
    CommunityError when the link is tampered with, expired, superseded or
    someone else's."""
    try:
        data = signing.loads(
            token, salt=WORK_EMAIL_SALT, max_age=settings.MOIM_WORK_EMAIL_LINK_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise CommunityError("work_email_link_expired") from exc
    except signing.BadSignature as exc:
        raise CommunityError("work_email_link_invalid") from exc
    if not isinstance(data, dict) or data.get("m") != member.pk:
        raise CommunityError("work_email_wrong_member")
    if data.get("e") != member.work_email_pending:
        if member.work_email and data.get("e") == member.work_email:
            raise CommunityError("work_email_already_verified")
        raise CommunityError("work_email_link_superseded")
    return data["e"]


def work_email_confirm(*, member: Member, token: str) -> Member:
    """Mark the work address of a valid confirmation link as verified."""
    email = work_email_token_read(member=member, token=token)
    try:
        with transaction.atomic():
            member.work_email = email
            member.work_email_pending = ""
            member.work_email_verified_at = timezone.now()
            member.save(
                update_fields=[
                    "work_email",
                    "work_email_pending",
                    "work_email_verified_at",
                ]
            )
    except IntegrityError as exc:
        member.refresh_from_db()
        raise CommunityError("work_email_taken") from exc
    return member


def work_email_remove(*, member: Member) -> None:
    member.work_email = None
    member.work_email_pending = ""
    member.work_email_verified_at = None
    member.save(
        update_fields=["work_email", "work_email_pending", "work_email_verified_at"]
    )


def member_standing_lock(*, member: Member) -> None:
    """Lock ``member``'s row until the surrounding transaction ends: a
    sanction takes it before it is written (``sanction_impose``), and what a
    sanction refuses takes it before reading the member's standing
    (``application_submit``, ``offer_confirm``), so the two go one after the
    other and neither acts on a standing the other is changing. The post and
    edit rate limits take it too, so that simultaneous writes are counted
    one after the other. Take it before any gathering's lock.

    ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: it must not stop another
    transaction from inserting a row that references the member (a notice
    to them, say). Two members replying to each other at once each held
    their own row and waited on the other's, a deadlock."""
    Member.objects.select_for_update(no_key=True).filter(pk=member.pk).exists()


def member_avatar_set(*, member: Member, upload) -> Member:
    """Replace ``member``'s picture with ``upload``, checked and re-encoded
    (community.images). Raises CommunityError, changing nothing, when the
    picture is refused; the previous picture's files are deleted once the
    new key is committed."""
    if upload is None:
        raise CommunityError("image_required")
    key = image_store(upload=upload, kind=AVATAR)
    previous = member.avatar
    member.avatar = key
    try:
        with transaction.atomic():
            Member.objects.filter(pk=member.pk).update(avatar=key)
            transaction.on_commit(lambda: image_delete(key=previous, kind=AVATAR))
    except Exception:
        member.avatar = previous
        image_delete(key=key, kind=AVATAR)
        raise
    return member


def member_avatar_remove(*, member: Member) -> Member:
    """Back to the drawn default picture; the files go once committed."""
    previous = member.avatar
    with transaction.atomic():
        Member.objects.filter(pk=member.pk).update(avatar="")
        transaction.on_commit(lambda: image_delete(key=previous, kind=AVATAR))
    member.avatar = ""
    return member

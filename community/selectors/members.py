"""Reads about members: who moderates whom, a member by public id, a
member's consents, what their profile shows."""

from dataclasses import dataclass
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings

from community.ids import public_id_valid
from community.models import (
    Comment,
    Community,
    Consent,
    ConsentPurpose,
    DisplayMode,
    Member,
    Membership,
    MembershipRole,
    NicknameHistory,
    Thread,
    Visibility,
)
from community.selectors.communities import readable_communities

PROFILE_ACTIVITY = 5


def moderates_member(viewer: Member, member: Member) -> bool:
    """Staff, or a moderator of a community ``member`` belongs to: the people
    who may see a member's earlier nicknames."""
    if not viewer.is_authenticated:
        return False
    if viewer.is_staff:
        return True
    return Membership.objects.filter(
        member=viewer,
        role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER],
        community__memberships__member=member,
    ).exists()


def community_member_by_public_id(
    *, community: Community, public_id: str
) -> Member | None:
    """An active member of ``community`` by their public id."""
    if not public_id_valid(public_id):
        return None
    return Member.objects.filter(
        public_id=public_id,
        is_active=True,
        memberships__community=community,
    ).first()


def consents_of(*, member: Member) -> dict:
    """A member's consents, newest first (each with what, which version,
    how and when it was given and ended), and the standing consent to email
    news with the day it lapses unless confirmed again."""
    rows = list(Consent.objects.filter(member=member).order_by("-given_at", "-pk"))
    marketing = next(
        (
            row
            for row in rows
            if row.purpose == ConsentPurpose.MARKETING and row.withdrawn_at is None
        ),
        None,
    )
    lapses_at = (
        marketing.given_at + timedelta(days=settings.MOIM_MARKETING_CONSENT_DAYS)
        if marketing
        else None
    )
    return {"consents": rows, "marketing": marketing, "marketing_lapses_at": lapses_at}


# The session key under which a member put the two-factor notice away: it
# returns at the next sign-in, until a second factor is added.
TWO_FACTOR_PROMPT_DISMISSED = "two_factor_prompt_dismissed"


def two_factor_prompt_due(
    *, member: Member, session, organises: bool | None = None
) -> bool:
    """Whether to ask the member to add a second factor: they organise
    (moderate a community or host a gathering, and so see applicants'
    answers and video links), have no authenticator app or passkey, and
    have not put the notice away in this session. ``organises`` is given by
    the pages that only organisers open."""
    if not member.is_authenticated or session.get(TWO_FACTOR_PROMPT_DISMISSED):
        return False
    if organises is None:
        organises = (
            Membership.objects.filter(
                member=member,
                role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER],
            ).exists()
            or member.hosted_gatherings.exists()
        )
    if not organises:
        return False
    return (
        not Authenticator.objects.filter(user_id=member.pk)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .exists()
    )


@dataclass
class Profile:
    """What a member's profile shows its reader."""

    communities: list[Community]
    threads: list[Thread]
    comments: list[Comment]
    # Earlier nicknames, for moderators (None: not shown to this reader).
    nickname_history: list[NicknameHistory] | None


def member_profile(*, member: Member, viewer: Member | None) -> Profile:
    """The communities of ``member`` and their latest visible threads and
    comments in communities ``viewer`` may read; their earlier nicknames
    when ``viewer`` moderates them. A member shown by a nickname is not tied
    to posts where a real-name community shows their real name. Five
    queries at most, whatever their activity."""
    readable = readable_communities(viewer)
    if member.display_mode == DisplayMode.NICKNAME:
        readable = readable.filter(requires_real_names=False)
    communities = list(
        Community.objects.filter(
            memberships__member=member, pk__in=readable.values("pk")
        )
        .only("slug", "name", "role")
        .order_by("name")
    )
    threads = list(
        Thread.objects.filter(
            author=member,
            visibility=Visibility.VISIBLE,
            community__in=readable.values("pk"),
        )
        .select_related("community")
        .only(
            "title", "created_at", "comment_count", "community__slug", "community__name"
        )
        .order_by("-created_at", "-pk")[:PROFILE_ACTIVITY]
    )
    comments = list(
        Comment.objects.filter(
            author=member,
            visibility=Visibility.VISIBLE,
            thread__visibility=Visibility.VISIBLE,
            thread__community__in=readable.values("pk"),
        )
        .select_related("thread__community")
        .only(
            "body",
            "created_at",
            "thread__title",
            "thread__community__slug",
            "thread__community__name",
        )
        .order_by("-created_at", "-pk")[:PROFILE_ACTIVITY]
    )
    history = None
    if viewer is not None and moderates_member(viewer, member):
        history = list(member.nickname_history.all())
    return Profile(
        communities=communities,
        threads=threads,
        comments=comments,
        nickname_history=history,
    )

"""Communities and membership."""

from django.db import IntegrityError, transaction
from django.db.models import F

from community.access import Access
from community.errors import CommunityError
from community.models import Board, Community, Member, Membership, MembershipRole
from realtime.broadcast import member_sockets_close

# Every community starts with these boards (name, description, promotion).
DEFAULT_BOARDS = [
    ("job-talk", "직무톡", "질문과 노하우를 나눠요.", False),
    ("introductions", "소개톡", "자기소개와 홍보: 홍보는 이 게시판에서만.", True),
    ("gathering-reviews", "모임 후기", "모임에 다녀온 이야기.", False),
]


@transaction.atomic
def community_create(
    *,
    name: str,
    slug: str,
    role: str,
    description: str = "",
    owner: Member | None = None,
    **options,
) -> Community:
    """A community with its default boards, and its owner as first member."""
    community = Community.objects.create(
        name=name, slug=slug, role=role, description=description, **options
    )
    Board.objects.bulk_create(
        Board(
            community=community,
            slug=board_slug,
            name=board_name,
            description=board_description,
            allows_promotion=promotion,
            position=position,
        )
        for position, (
            board_slug,
            board_name,
            board_description,
            promotion,
        ) in enumerate(DEFAULT_BOARDS)
    )
    if owner is not None:
        Membership.objects.create(
            community=community, member=owner, role=MembershipRole.OWNER
        )
        Community.objects.filter(pk=community.pk).update(member_count=1)
        community.member_count = 1
    return community


def community_join(*, access: Access) -> Membership:
    """Join; a banned member cannot. Joining twice at once makes one row."""
    if access.member is None:
        raise CommunityError("login_required")
    if access.banned is not None:
        raise CommunityError("banned")
    if access.is_member:
        raise CommunityError("already_member")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                community=access.community, member=access.member
            )
            Community.objects.filter(pk=access.community.pk).update(
                member_count=F("member_count") + 1
            )
    except IntegrityError as exc:
        raise CommunityError("already_member") from exc
    return membership


def community_leave(*, access: Access) -> None:
    if not access.is_member:
        raise CommunityError("not_member")
    if access.is_owner:
        raise CommunityError("owner_cannot_leave")
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(pk=access.membership.pk).delete()
        member_sockets_close(member_id=access.member.pk)
        if deleted:
            Community.objects.filter(pk=access.community.pk, member_count__gt=0).update(
                member_count=F("member_count") - 1
            )

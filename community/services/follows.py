"""A member chooses how closely they follow a community, a board or a
thread (community.follows holds the rule and the defaults)."""

from django.db import transaction
from django.utils import timezone

from community.access import Access
from community.errors import CommunityError
from community.models import Board, Follow, Thread, Visibility

# Not a level: forget the chosen one, so the default holds again.
DEFAULT = "default"


def follow_refusal(access: Access) -> CommunityError | None:
    """Why this reader may not choose a level here, or None: only a member
    of the community who may read it (not banned, not signed out)."""
    if access.member is None:
        return CommunityError("login_required")
    if access.banned is not None:
        return CommunityError("banned")
    if not access.is_member:
        return CommunityError("not_member")
    return None


@transaction.atomic
def follow_set(
    *,
    access: Access,
    level: str,
    board: Board | None = None,
    thread: Thread | None = None,
) -> None:
    """Store ``level`` for ``thread``, else ``board``, else the community
    of ``access``; ``DEFAULT`` removes the choice. Refused (CommunityError,
    nothing written) to whoever ``follow_refusal`` refuses, and for a thread
    no longer visible or a board or thread of another community."""
    refusal = follow_refusal(access)
    if refusal is not None:
        raise refusal
    community = access.community
    if thread is not None:
        if thread.community_id != community.pk or (
            thread.visibility != Visibility.VISIBLE
        ):
            raise CommunityError("thread_unavailable")
        target = {"thread": thread}
    elif board is not None:
        if board.community_id != community.pk:
            raise CommunityError("thread_unavailable")
        target = {"board": board}
    else:
        target = {"community": community}
    if level == DEFAULT:
        Follow.objects.filter(member=access.member, **target).delete()
        return
    Follow.objects.update_or_create(
        member=access.member,
        **target,
        defaults={"level": level, "changed_at": timezone.now()},
    )

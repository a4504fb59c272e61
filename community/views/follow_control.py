"""The follow-level control the community, board and thread pages show a
member (partials/follow_control.html; community.views.follows saves it)."""

from django.urls import reverse

from community import follows
from community.access import Access
from community.models import Board, FollowLevel, Visibility
from community.services.follows import follow_refusal


def follow_control(
    access: Access, *, board: Board | None = None, thread=None
) -> dict | None:
    """What the page's follow control shows (partials/follow_control.html),
    for a member who may choose a level here, else None: one query."""
    if follow_refusal(access) is not None:
        return None
    if thread is not None and thread.visibility != Visibility.VISIBLE:
        return None
    member, slug = access.member, access.community.slug
    if thread is not None:
        kind, action = "thread", reverse("thread_follow", args=[slug, thread.pk])
    elif board is not None:
        kind, action = "board", reverse("board_follow", args=[slug, board.slug])
    else:
        kind, action = "community", reverse("community_follow", args=[slug])
    return {
        "kind": kind,
        "action": action,
        "choices": FollowLevel.choices,
        "level": follows.target_level(
            member, community=access.community, board=board, thread=thread
        ),
    }

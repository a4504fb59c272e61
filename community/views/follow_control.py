"""The follow-level control the community, board and thread pages show a
member (partials/follow_control.html; community.views.follows saves it)."""

from django.urls import reverse

from community import follows
from community.access import Access
from community.models import Board, FollowLevel, Visibility
from community.services.follows import follow_refusal


def follow_shown(access: Access, *, thread=None) -> bool:
    """Whether the page shows the follow control: to a member who may
    choose a level here, on a visible thread. A page that reads the level
    in a statement of its own (follows.target_level_sql) asks this first."""
    if follow_refusal(access) is not None:
        return False
    return thread is None or thread.visibility == Visibility.VISIBLE


def follow_control(
    access: Access, *, board: Board | None = None, thread=None, level=None
) -> dict | None:
    """What the page's follow control shows (partials/follow_control.html),
    for a member who may choose a level here (``follow_shown``), else None.
    ``level``: the level as the page read it with another of its statements
    (follows.target_level_sql); without it, one query asks it."""
    if not follow_shown(access, thread=thread):
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
        "level": level
        if level is not None
        else follows.target_level(
            member, community=access.community, board=board, thread=thread
        ),
    }

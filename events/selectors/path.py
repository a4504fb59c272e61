"""Reads of the path: a member's gatherings attended and hosted, helpful
answers and published takeaways, each shown as its owner chose. Each
function states its query budget."""

from dataclasses import dataclass, replace
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from community.models import Community, Member, Thread
from community.models import Visibility as ThreadVisibility
from events.access import (
    attendee_filter,
)
from events.models import (
    Application,
    Gathering,
    PathItemVisibility,
    PathKind,
    PathVisibility,
    Takeaway,
)
from events.selectors.followups import FollowUpShown, member_followups
from events.selectors.surveys import AFTER_END

# Without a choice of the member's, an item is shown like this.
PATH_DEFAULTS = {
    PathKind.ATTENDED: PathVisibility.COMMUNITY,
    PathKind.HOSTED: PathVisibility.PUBLIC,
    PathKind.HELPFUL: PathVisibility.COMMUNITY,
}


@dataclass
class PathItem:
    kind: str
    object_id: int
    when: datetime
    community: Community
    visibility: str
    title: str
    url: str
    gathering: Gathering | None = None
    takeaway: Takeaway | None = None
    # For the owner: a gathering attended with no takeaway yet.
    takeaway_missing: bool = False
    # The takeaway merged into the item of the gathering it comes from
    # (``takeaway`` then set on an "attended" item), and who may see it.
    takeaway_visibility: str = ""
    # The follow-up of the takeaway (whether the member applied it), shown
    # wherever the takeaway is.
    followup: FollowUpShown | None = None

    @property
    def kind_label(self) -> str:
        return PathKind(self.kind).label


def _seen_by(item: PathItem, viewer_communities: set[int]) -> bool:
    if item.visibility == PathVisibility.PUBLIC:
        return item.community.public_read or item.community.pk in viewer_communities
    if item.visibility == PathVisibility.COMMUNITY:
        return item.community.pk in viewer_communities
    return False


def _as_seen_by(item: PathItem, viewer_communities: set[int]) -> PathItem | None:
    """``item`` as the reader sees it, or None. A gathering attended with its
    takeaway merged shows the takeaway only where the takeaway's own
    visibility allows; where only the takeaway is seen, it is the item."""
    if not item.takeaway_visibility:
        return item if _seen_by(item, viewer_communities) else None
    takeaway_item = replace(
        item,
        kind=PathKind.TAKEAWAY,
        object_id=item.takeaway.pk,
        visibility=item.takeaway_visibility,
        takeaway_visibility="",
    )
    takeaway_seen = _seen_by(takeaway_item, viewer_communities)
    if _seen_by(item, viewer_communities):
        return item if takeaway_seen else replace(item, takeaway=None, followup=None)
    return takeaway_item if takeaway_seen else None


def member_path(
    *, member: Member, viewer: Member | None, merged: bool = True
) -> list[PathItem]:
    """The items of ``member``'s path that ``viewer`` may see, oldest first:
    everything for the member themself; for anyone else an item marked
    public (in a community whose pages are public, or one they belong to)
    or marked for community members (of its community). ``merged``: each
    gathering once, a takeaway shown in the item of the gathering attended
    (each part still as its own visibility allows); else a takeaway is an
    item of its own. Six queries, whatever the length of the path."""
    is_owner = viewer is not None and viewer.pk == member.pk
    chosen = {
        (kind, object_id): visibility
        for kind, object_id, visibility in PathItemVisibility.objects.filter(
            member=member
        ).values_list("kind", "object_id", "visibility")
    }

    def visibility(kind: str, object_id: int) -> str:
        return chosen.get((kind, object_id), PATH_DEFAULTS[kind])

    items: list[PathItem] = []
    attended = (
        Application.objects.filter(
            attendee_filter(), member=member, gathering__status__in=AFTER_END
        )
        .select_related("gathering__community")
        .order_by()
    )
    for application in attended:
        gathering = application.gathering
        items.append(_gathering_item(PathKind.ATTENDED, gathering, visibility))
    hosted = (
        Gathering.objects.filter(hosts=member, status__in=AFTER_END)
        .select_related("community")
        .order_by()
    )
    for gathering in hosted:
        items.append(_gathering_item(PathKind.HOSTED, gathering, visibility))
    helpful = (
        Thread.objects.filter(
            visibility=ThreadVisibility.VISIBLE,
            helpful_comment__author=member,
            helpful_comment__visibility=ThreadVisibility.VISIBLE,
        )
        .select_related("community", "helpful_comment")
        .order_by()
    )
    for thread in helpful:
        items.append(
            PathItem(
                kind=PathKind.HELPFUL,
                object_id=thread.pk,
                when=thread.helpful_comment.created_at,
                community=thread.community,
                visibility=visibility(PathKind.HELPFUL, thread.pk),
                title=thread.title,
                url=reverse("thread_detail", args=[thread.community.slug, thread.pk])
                + f"#comment-{thread.helpful_comment_id}",
            )
        )
    takeaways = Takeaway.objects.filter(member=member).select_related(
        "gathering__community"
    )
    attended_items = {
        item.object_id: item for item in items if item.kind == PathKind.ATTENDED
    }
    followups = member_followups(member=member, now=timezone.now())
    if not is_owner:
        followups = {pk: f for pk, f in followups.items() if f.answer}
    for takeaway in takeaways:
        gathering = takeaway.gathering
        item = attended_items.get(gathering.pk) if merged else None
        if item is not None:
            item.takeaway = takeaway
            item.takeaway_visibility = takeaway.visibility
            item.followup = followups.get(gathering.pk)
            continue
        items.append(
            PathItem(
                kind=PathKind.TAKEAWAY,
                object_id=takeaway.pk,
                # Right after the gathering it comes from.
                when=gathering.ends_at,
                community=gathering.community,
                visibility=takeaway.visibility,
                title=gathering.title,
                url=_gathering_url(gathering),
                gathering=gathering,
                takeaway=takeaway,
                followup=followups.get(gathering.pk),
            )
        )
    if is_owner:
        kept = {item.gathering.pk for item in items if item.takeaway}
        for item in items:
            if item.kind == PathKind.ATTENDED and item.object_id not in kept:
                item.takeaway_missing = True
    else:
        viewer_communities = (
            set(viewer.memberships.values_list("community_id", flat=True))
            if viewer is not None and viewer.is_authenticated
            else set()
        )
        items = [
            shown
            for item in items
            if (shown := _as_seen_by(item, viewer_communities)) is not None
        ]
    order = {kind: index for index, kind in enumerate(PathKind.values)}
    items.sort(key=lambda item: (item.when, order[item.kind], item.object_id))
    return items


def _gathering_url(gathering: Gathering) -> str:
    return reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])


def _gathering_item(kind: str, gathering: Gathering, visibility) -> PathItem:
    return PathItem(
        kind=kind,
        object_id=gathering.pk,
        when=gathering.starts_at,
        community=gathering.community,
        visibility=visibility(kind, gathering.pk),
        title=gathering.title,
        url=_gathering_url(gathering),
        gathering=gathering,
    )


def path_export(*, member: Member) -> dict:
    """The member's whole path as data for the JSON export (their own, so
    every item, with its visibility, and their follow-up answers). Seven
    queries."""
    items = member_path(member=member, viewer=member, merged=False)
    return {
        "member": member.public_id,
        "exported_at": timezone.now().isoformat(),
        "items": [
            {
                "kind": item.kind,
                "when": item.when.isoformat(),
                "community": item.community.slug,
                "title": item.title,
                "url": item.url,
                "visibility": item.visibility,
                **(
                    {
                        "learned": item.takeaway.learned,
                        "will_apply": item.takeaway.will_apply,
                    }
                    if item.takeaway
                    else {}
                ),
                **(
                    {
                        "applied": item.followup.answer,
                        "applied_note": item.followup.note,
                    }
                    if item.followup and item.followup.answer
                    else {}
                ),
            }
            for item in items
        ],
    }


def path_past_gatherings(*, member: Member) -> list[Gathering]:
    """Gatherings the member attended or hosted, once over, each once, for
    the path's .ics. Two queries."""
    attended = Gathering.objects.filter(
        pk__in=Application.objects.filter(attendee_filter(), member=member).values(
            "gathering"
        ),
        status__in=AFTER_END,
    )
    hosted = Gathering.objects.filter(hosts=member, status__in=AFTER_END)
    found = {
        g.pk: g
        for query in (attended, hosted)
        for g in query.select_related("community")
    }
    return sorted(found.values(), key=lambda g: (g.starts_at, g.pk))

"""Reads of the path: a member's gatherings attended and hosted, helpful
answers and published takeaways, each shown as its owner chose. Each
function states its query budget."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import NamedTuple

from django.urls import reverse
from django.utils import timezone

from community.fields import SEOUL
from community.models import Community, Member, Membership, Thread
from community.models import Visibility as ThreadVisibility
from events.access import (
    attendee_filter,
)
from events.models import (
    PATH_EXPERIENCE,
    Application,
    Experience,
    ExperienceKind,
    Gathering,
    PathItemVisibility,
    PathKind,
    PathVisibility,
    Takeaway,
)
from events.selectors.credentials import credential_export
from events.selectors.followups import FollowUpShown, member_followups
from events.selectors.surveys import AFTER_END
from events.skills import BY_SLUG, Skill

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
    community: Community | None  # None for an experience
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
    experience: Experience | None = None
    # The follow-up of the takeaway (whether the member applied it), shown
    # wherever the takeaway is.
    followup: FollowUpShown | None = None

    @property
    def kind_label(self) -> str:
        if self.experience is not None:
            return ExperienceKind(self.experience.kind).label
        return PathKind(self.kind).label

    @property
    def skills(self) -> list[Skill]:
        """An experience's skills from the catalogue (an unknown slug, e.g.
        one retired, is left out)."""
        if self.experience is None:
            return []
        return [BY_SLUG[slug] for slug in self.experience.skills if slug in BY_SLUG]


@dataclass(frozen=True)
class Reader:
    """Who reads a path, as far as its visibility rules ask: the
    communities they belong to, and whether one of them is also the
    path's member's."""

    communities: frozenset[int] = field(default_factory=frozenset)
    shares_community: bool = False


# A signed-out visitor: what a shared link shows anyone.
VISITOR = Reader()


def _seen_by(item: PathItem, reader: Reader) -> bool:
    """The one rule of who sees an item of someone else's path. Public: a
    gathering's item where its community's pages are public (or to its
    members), an experience to anyone. Community members: a gathering's
    item to members of its community, an experience to members of a
    community the path's member belongs to. Only me: nobody else."""
    if item.community is None:
        if item.visibility == PathVisibility.PUBLIC:
            return True
        return item.visibility == PathVisibility.COMMUNITY and reader.shares_community
    if item.visibility == PathVisibility.PUBLIC:
        return item.community.public_read or item.community.pk in reader.communities
    if item.visibility == PathVisibility.COMMUNITY:
        return item.community.pk in reader.communities
    return False


def _as_seen_by(item: PathItem, reader: Reader) -> PathItem | None:
    """``item`` as the reader sees it, or None. A gathering attended with its
    takeaway merged shows the takeaway only where the takeaway's own
    visibility allows; where only the takeaway is seen, it is the item."""
    if not item.takeaway_visibility:
        return item if _seen_by(item, reader) else None
    takeaway_item = replace(
        item,
        kind=PathKind.TAKEAWAY,
        object_id=item.takeaway.pk,
        visibility=item.takeaway_visibility,
        takeaway_visibility="",
    )
    takeaway_seen = _seen_by(takeaway_item, reader)
    if _seen_by(item, reader):
        return (
            item
            if takeaway_seen
            else replace(item, takeaway=None, takeaway_visibility="", followup=None)
        )
    return takeaway_item if takeaway_seen else None


def member_path(
    *, member: Member, viewer: Member | None, merged: bool = True
) -> list[PathItem]:
    """The items of ``member``'s path that ``viewer`` may see, oldest first:
    everything for the member themself; for anyone else an item marked
    public (in a community whose pages are public, or one they belong to)
    or marked for community members (of its community); the member's own
    experiences as ``_seen_by`` says. ``merged``: each gathering once, a
    takeaway shown in the item of the gathering attended (each part still
    as its own visibility allows); else a takeaway is an item of its own.
    At most nine queries, whatever the length of the path."""
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
    for experience in Experience.objects.filter(member=member).order_by():
        items.append(
            PathItem(
                kind=PATH_EXPERIENCE,
                object_id=experience.pk,
                when=month_start(experience.started_on),
                community=None,
                visibility=experience.visibility,
                title=experience.title,
                url="",
                experience=experience,
            )
        )
    if is_owner:
        kept = {item.gathering.pk for item in items if item.takeaway}
        for item in items:
            if item.kind == PathKind.ATTENDED and item.object_id not in kept:
                item.takeaway_missing = True
    else:
        reader = _reader(member, viewer, items)
        items = [
            shown for item in items if (shown := _as_seen_by(item, reader)) is not None
        ]
    order = {kind: index for index, kind in enumerate(PathKind.values)}
    order[PATH_EXPERIENCE] = len(order)
    items.sort(key=lambda item: (item.when, order[item.kind], item.object_id))
    return items


def _reader(member: Member, viewer: Member | None, items: list[PathItem]) -> Reader:
    """``viewer`` as the visibility rules see them (two queries at most; none
    signed out)."""
    if viewer is None or not viewer.is_authenticated:
        return VISITOR
    communities = frozenset(viewer.memberships.values_list("community_id", flat=True))
    asks = any(
        item.community is None and item.visibility == PathVisibility.COMMUNITY
        for item in items
    )
    shares = (
        asks
        and bool(communities)
        and Membership.objects.filter(member=member, community_id__in=communities)
        .order_by()
        .exists()
    )
    return Reader(communities=communities, shares_community=shares)


def month_start(day: date) -> datetime:
    """The first moment of ``day``'s month in Seoul: where an experience
    stands on the path's timeline."""
    return datetime.combine(day.replace(day=1), time(), tzinfo=SEOUL)


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
    every item, with its visibility); an experience with its skills (slug
    and both labels) and tags; their follow-up answers and the credentials
    they issued. Nine queries."""
    items = member_path(member=member, viewer=member, merged=False)
    return {
        "credentials": credential_export(member=member),
        "member": member.public_id,
        "exported_at": timezone.now().isoformat(),
        "items": [_exported(item) for item in items],
    }


def _exported(item: PathItem) -> dict:
    row = {
        "kind": item.kind,
        "when": item.when.isoformat(),
        "community": item.community.slug if item.community else None,
        "title": item.title,
        "url": item.url,
        "visibility": item.visibility,
    }
    if item.takeaway:
        row["learned"] = item.takeaway.learned
        row["will_apply"] = item.takeaway.will_apply
    if item.followup and item.followup.answer:
        row["applied"] = item.followup.answer
        row["applied_note"] = item.followup.note
    if item.experience:
        row.update(experience_data(item.experience))
    return row


def experience_data(experience: Experience) -> dict:
    """An experience as plain data (the JSON export, the personal-data
    archive): months as "YYYY-MM", each skill's slug with its labels."""
    return {
        "experience_kind": experience.kind,
        "organisation": experience.organisation,
        "started": experience.started_on.strftime("%Y-%m"),
        "ended": experience.ended_on.strftime("%Y-%m") if experience.ended_on else None,
        "learned": experience.learned,
        "skills": [
            {"slug": slug, "ko": BY_SLUG[slug].ko, "en": BY_SLUG[slug].en}
            for slug in experience.skills
            if slug in BY_SLUG
        ],
        "tags": list(experience.tags),
    }


class SkillSince(NamedTuple):
    skill: Skill
    since: date  # the first month of the first experience naming it
    experiences: int
    ongoing: bool  # named by an experience that has not ended


@dataclass
class PathPage:
    """The path page: the items the reader may see, newest first; the
    skills of the experiences among them, oldest first; and the items a
    signed-out visitor sees (what a shared link's card may say)."""

    items: list[PathItem]
    skills: list[SkillSince]
    public_items: list[PathItem]


def path_page(*, member: Member, viewer: Member | None) -> PathPage:
    """The path page of ``member`` for ``viewer`` (``member_path``'s rule,
    and its queries: at most nine)."""
    items = member_path(member=member, viewer=viewer)
    if viewer is None or not viewer.is_authenticated:
        public_items = items
    else:
        public_items = [
            shown for item in items if (shown := _as_seen_by(item, VISITOR)) is not None
        ]
    return PathPage(
        items=list(reversed(items)),
        skills=skills_over_time(items),
        public_items=public_items,
    )


def skills_over_time(items: list[PathItem]) -> list[SkillSince]:
    """Each skill named by an experience among ``items``: since when, in how
    many, and whether still in use; the longest-held first."""
    found: dict[str, SkillSince] = {}
    for item in items:
        if item.experience is None:
            continue
        experience = item.experience
        for skill in item.skills:
            seen = found.get(skill.slug)
            found[skill.slug] = SkillSince(
                skill=skill,
                since=min(seen.since, experience.started_on)
                if seen
                else experience.started_on,
                experiences=(seen.experiences if seen else 0) + 1,
                ongoing=(seen.ongoing if seen else False)
                or experience.ended_on is None,
            )
    return sorted(found.values(), key=lambda s: (s.since, s.skill.slug))


def experience_own(*, member: Member, experience_id: int) -> Experience | None:
    """One of ``member``'s own experiences (for its edit form), or None for
    another member's or none. One query."""
    return Experience.objects.filter(pk=experience_id, member=member).first()


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

"""What a digest tells, read for a chunk of members at once: a fixed number
of queries per chunk, whatever its size, and each community's content read
once per run (``DigestReader`` keeps it).

Hot: a thread's comments plus reactions (on it or its comments) within the
period; the liveliest first, the latest activity breaking ties. Unanswered:
questions of the last ``QUESTION_AGE`` without a comment, in the member's
communities of their own job role. Open: gatherings published in the
member's communities whose applications are open now."""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from community.access import sanctions_in_force
from community.models import (
    Comment,
    Community,
    Member,
    Membership,
    Reaction,
    SanctionKind,
    Thread,
    ThreadTag,
    Visibility,
)
from events.models import Gathering, GatheringStatus

PER_COMMUNITY = 3
PER_SECTION = 5
QUESTION_AGE = timedelta(days=14)


class DigestThread(NamedTuple):
    pk: int
    title: str
    community: Community
    path: str
    score: int
    comment_count: int
    last_activity_at: datetime


class DigestGathering(NamedTuple):
    pk: int
    title: str
    community: Community
    path: str
    starts_at: datetime
    ends_at: datetime
    applications_close_at: datetime


class Digest(NamedTuple):
    member: Member
    hot: list[DigestThread]
    questions: list[DigestThread]
    gatherings: list[DigestGathering]

    @property
    def empty(self) -> bool:
        return not (self.hot or self.questions or self.gatherings)


class DigestReader:
    """Digests for chunks of members over one period ending ``now``."""

    def __init__(self, *, now: datetime, length: timedelta):
        self.now = now
        self.since = now - length
        self.communities: dict[int, Community] = {}
        self.hot: dict[int, list[DigestThread]] = {}
        self.questions: dict[int, list[DigestThread]] = {}
        self.gatherings: dict[int, list[DigestGathering]] = {}

    def digests(self, members: list[Member]) -> list[Digest]:
        ids = [m.pk for m in members]
        joined: dict[int, list[int]] = defaultdict(list)
        for member_id, community_id in Membership.objects.filter(
            member__in=ids
        ).values_list("member_id", "community_id"):
            joined[member_id].append(community_id)
        banned = set(
            sanctions_in_force()
            .filter(member__in=ids, kind=SanctionKind.BAN)
            .values_list("member_id", "community_id")
        )
        self._load({c for cs in joined.values() for c in cs})
        result = []
        for member in members:
            communities = [
                c for c in joined.get(member.pk, []) if (member.pk, c) not in banned
            ]
            own_role = [
                c
                for c in communities
                if member.role and self.communities[c].role == member.role
            ]
            result.append(
                Digest(
                    member=member,
                    hot=_top(
                        [t for c in communities for t in self.hot[c]],
                        key=lambda t: (t.score, t.last_activity_at),
                    ),
                    questions=_top(
                        [t for c in own_role for t in self.questions[c]],
                        key=lambda t: t.last_activity_at,
                    ),
                    gatherings=sorted(
                        [g for c in communities for g in self.gatherings[c]],
                        key=lambda g: (g.applications_close_at, g.pk),
                    )[:PER_SECTION],
                )
            )
        return result

    def _load(self, community_ids: set[int]) -> None:
        """Read the communities not read yet: five queries."""
        new = community_ids - set(self.communities)
        if not new:
            return
        for community in Community.objects.filter(pk__in=new):
            self.communities[community.pk] = community
            self.hot[community.pk] = []
            self.questions[community.pk] = []
            self.gatherings[community.pk] = []
        self._load_hot(new)
        self._load_questions(new)
        self._load_gatherings(new)

    def _thread(self, row, score: int) -> DigestThread:
        community = self.communities[row.community_id]
        return DigestThread(
            pk=row.pk,
            title=row.title,
            community=community,
            path=reverse("thread_detail", args=[community.slug, row.pk]),
            score=score,
            comment_count=row.comment_count,
            last_activity_at=row.last_activity_at,
        )

    def _load_hot(self, community_ids: set[int]) -> None:
        scores: dict[int, int] = defaultdict(int)
        comments = (
            Comment.objects.filter(
                thread__community__in=community_ids,
                created_at__gte=self.since,
                created_at__lt=self.now,
                visibility=Visibility.VISIBLE,
            )
            .values("thread_id")
            .annotate(n=Count("pk"))
        )
        for row in comments:
            scores[row["thread_id"]] += row["n"]
        reactions = (
            Reaction.objects.filter(
                Q(thread__community__in=community_ids)
                | Q(comment__thread__community__in=community_ids),
                created_at__gte=self.since,
                created_at__lt=self.now,
            )
            .values(t=Coalesce("thread_id", "comment__thread_id"))
            .annotate(n=Count("pk"))
        )
        for row in reactions:
            scores[row["t"]] += row["n"]
        rows = Thread.objects.filter(
            pk__in=list(scores), visibility=Visibility.VISIBLE
        ).values_list(
            "pk",
            "title",
            "community_id",
            "comment_count",
            "last_activity_at",
            named=True,
        )
        ranked = sorted(
            rows, key=lambda r: (scores[r.pk], r.last_activity_at), reverse=True
        )
        for row in ranked:
            bucket = self.hot[row.community_id]
            if len(bucket) < PER_COMMUNITY:
                bucket.append(self._thread(row, scores[row.pk]))

    def _load_questions(self, community_ids: set[int]) -> None:
        rows = (
            Thread.objects.filter(
                community__in=community_ids,
                tag=ThreadTag.QUESTION,
                visibility=Visibility.VISIBLE,
                comment_count=0,
                created_at__gte=self.now - QUESTION_AGE,
                created_at__lt=self.now,
            )
            .order_by("-created_at", "-pk")
            .values_list(
                "pk",
                "title",
                "community_id",
                "comment_count",
                "last_activity_at",
                named=True,
            )
        )
        for row in rows:
            bucket = self.questions[row.community_id]
            if len(bucket) < PER_COMMUNITY:
                bucket.append(self._thread(row, 0))

    def _load_gatherings(self, community_ids: set[int]) -> None:
        rows = (
            Gathering.objects.filter(
                community__in=community_ids,
                status=GatheringStatus.OPEN,
                published_at__isnull=False,
                applications_open_at__lte=self.now,
                applications_close_at__gt=self.now,
            )
            .order_by("applications_close_at", "pk")
            .values_list(
                "pk",
                "title",
                "community_id",
                "starts_at",
                "ends_at",
                "applications_close_at",
                named=True,
            )
        )
        for row in rows:
            bucket = self.gatherings[row.community_id]
            if len(bucket) < PER_COMMUNITY:
                community = self.communities[row.community_id]
                bucket.append(
                    DigestGathering(
                        pk=row.pk,
                        title=row.title,
                        community=community,
                        path=reverse("gathering_detail", args=[community.slug, row.pk]),
                        starts_at=row.starts_at,
                        ends_at=row.ends_at,
                        applications_close_at=row.applications_close_at,
                    )
                )


def _top(items: list, *, key) -> list:
    return sorted(items, key=key, reverse=True)[:PER_SECTION]

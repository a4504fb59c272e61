"""Reads for the signed-in home: the threads of the member's communities
(latest and hottest) and the unanswered questions of their job role. Each
list is one query, whatever the number of communities or threads; the
gatherings part is events.selectors.home_gatherings."""

from dataclasses import dataclass

from django.db.models import QuerySet

from community.access import communities_banning
from community.models import Member, Thread, ThreadTag, Visibility
from community.selectors.communities import readable_communities

HOME_THREADS = 5

# What a row of partials/thread_row.html reads of a thread, its author and
# its community: not the bodies, nor the authors' account fields.
_ROW_FIELDS = (
    "tag",
    "title",
    "is_pinned",
    "is_locked",
    "created_at",
    "last_activity_at",
    "comment_count",
    "empathy_count",
    "helpful_count",
    "view_count",
    "community__slug",
    "community__name",
    "community__requires_real_names",
    "author__real_name",
    "author__nickname",
    "author__display_mode",
)


@dataclass
class HomeThreads:
    latest: list[Thread]
    hottest: list[Thread]
    unanswered: list[Thread]


def _rows(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    return (
        threads.filter(visibility=Visibility.VISIBLE)
        .select_related("community", "author")
        .only(*_ROW_FIELDS)
    )


def home_threads(*, member: Member, community_ids: list[int]) -> HomeThreads:
    """The latest and hottest threads of ``community_ids`` (the member's
    communities; any that bans them is left out) and the newest questions
    without an answer in communities of the member's job role that they may
    read. Three queries."""
    mine = _rows(
        Thread.objects.filter(community_id__in=community_ids).exclude(
            community_id__in=communities_banning(member)
        )
    )
    latest = list(mine.order_by("-last_activity_at", "-pk")[:HOME_THREADS])
    shown = [thread.pk for thread in latest]
    # The hottest that the latest list does not already show.
    hottest = list(
        mine.exclude(pk__in=shown).order_by("-hot_score", "-pk")[:HOME_THREADS]
    )
    unanswered: list[Thread] = []
    if member.role:
        unanswered = list(
            _rows(
                Thread.objects.filter(
                    community__in=readable_communities(member).filter(role=member.role),
                    tag=ThreadTag.QUESTION,
                    comment_count=0,
                )
            ).order_by("-created_at", "-pk")[:HOME_THREADS]
        )
    return HomeThreads(latest=latest, hottest=hottest, unanswered=unanswered)

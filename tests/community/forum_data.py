"""Builders for the forum tests (test_forum_*.py): communities with their
default boards, memberships, sanctions, and threads or comments written
straight to the database when a test is about pages rather than posting."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from community.access import access_for
from community.markdown import markdown_render
from community.models import (
    Comment,
    Community,
    Membership,
    MembershipRole,
    Sanction,
    SanctionKind,
    Thread,
    ThreadTag,
)
from community.services import communities as community_services
from tests.factories import member_create

_counter = iter(range(1, 10**9))


def veteran(**overrides):
    """A member past the first-day limits."""
    overrides.setdefault("date_joined", timezone.now() - timedelta(days=30))
    return member_create(**overrides)


def community_make(**overrides) -> Community:
    n = next(_counter)
    fields = {"name": f"포럼 {n}", "slug": f"forum-{n}", "role": "backend-development"}
    fields.update(overrides)
    return community_services.community_create(**fields)


def join(member, community, role=MembershipRole.MEMBER) -> Membership:
    membership = Membership.objects.create(
        community=community, member=member, role=role
    )
    Community.objects.filter(pk=community.pk).update(member_count=F("member_count") + 1)
    return membership


def sanction(member, community, kind=SanctionKind.BAN, *, by=None, **fields):
    by = by or member_create(is_staff=True)
    return Sanction.objects.create(
        community=community,
        member=member,
        kind=kind,
        reason="규칙 위반",
        created_by=by,
        **fields,
    )


def access(member, community):
    return access_for(member, community)


def board_of(community, slug="job-talk"):
    return community.boards.get(slug=slug)


def thread_make(community, author, *, board=None, **fields) -> Thread:
    body = fields.pop("body", "본문입니다.")
    defaults = {
        "community": community,
        "board": board or board_of(community),
        "author": author,
        "tag": ThreadTag.DISCUSSION,
        "title": "제목",
        "body": body,
        "body_html": markdown_render(body),
    }
    defaults.update(fields)
    return Thread.objects.create(**defaults)


def comment_make(thread, author, *, parent=None, **fields) -> Comment:
    body = fields.pop("body", "댓글입니다.")
    comment = Comment.objects.create(
        thread=thread,
        parent=parent,
        author=author,
        body=body,
        body_html=markdown_render(body),
        **fields,
    )
    Thread.objects.filter(pk=thread.pk).update(comment_count=F("comment_count") + 1)
    return comment

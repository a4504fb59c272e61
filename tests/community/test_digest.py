"""The digest: what it tells, in whose language, how it looks in a mail
client, and that no member gets two for one period, also when a worker
dies in the middle of a run."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from community.models import (
    Comment,
    DigestSent,
    Membership,
    Reaction,
    ReactionKind,
    Thread,
    ThreadTag,
)
from community.roles import JobRole
from community.services import digest as digest_service
from community.services.communities import community_create
from community.services.digest import digest_period, digests_send_due
from community.services.preferences import preferences_update
from events.models import GatheringStatus
from tests.events.factories import advance, gathering_make
from tests.factories import member_create

pytestmark = pytest.mark.django_db


def morning_after(moment):
    """The first whole hour at or after ``moment`` when digests go out."""
    moment = moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while timezone.localtime(moment).hour < digest_service.SEND_FROM_HOUR:
        moment += timedelta(hours=1)
    return moment


class World:
    """A community with an owner, a gathering open for applications at
    ``now``, a lively thread, a quiet one and an unanswered question."""

    def __init__(self, *, members: int = 1, language: str = "en"):
        self.owner = member_create(language="en")
        self.community = community_create(
            name="퍼포먼스 마케팅",
            slug="perf",
            role=JobRole.BACKEND,
            owner=self.owner,
        )
        gathering = gathering_make(
            community=self.community, organiser=self.owner, title="ROAS 스터디"
        )
        self.now = morning_after(gathering.applications_open_at)
        self.gathering = advance(gathering, self.now)
        assert self.gathering.status == GatheringStatus.OPEN
        self.members = [
            self.join(member_create(language=language, role=JobRole.BACKEND))
            for _ in range(members)
        ]
        board = self.community.boards.first()
        recent = self.now - timedelta(days=1)
        self.lively = self.thread(board, "활발한 글", ThreadTag.DISCUSSION, recent)
        self.quiet = self.thread(board, "조용한 글", ThreadTag.DISCUSSION, recent)
        self.question = self.thread(board, "답 없는 질문", ThreadTag.QUESTION, recent)
        for _ in range(3):
            self.comment(self.lively, recent)
        self.comment(self.quiet, recent)
        Reaction.objects.create(
            member=self.owner,
            thread=self.lively,
            kind=ReactionKind.EMPATHY,
            created_at=recent,
        )
        # Old activity does not count.
        for _ in range(9):
            self.comment(self.quiet, self.now - timedelta(days=30))

    def join(self, member):
        Membership.objects.create(community=self.community, member=member)
        return member

    def thread(self, board, title, tag, at):
        return Thread.objects.create(
            community=self.community,
            board=board,
            author=self.owner,
            tag=tag,
            title=title,
            body="본문",
            body_html="<p>본문</p>",
            created_at=at,
            last_activity_at=at,
        )

    def comment(self, thread, at):
        Comment.objects.create(
            thread=thread, author=self.owner, body="댓글", body_html="", created_at=at
        )
        Thread.objects.filter(pk=thread.pk).update(
            comment_count=Comment.objects.filter(thread=thread).count()
        )


def mails_to(member):
    return [m for m in mail.outbox if m.to == [member.email]]


def test_the_digest_lists_hot_threads_questions_and_open_gatherings():
    world = World()
    (member,) = world.members

    digests_send_due(now=world.now)

    (message,) = mails_to(member)
    body = message.body
    assert message.subject == "[Moim] Your weekly digest"
    assert body.index("활발한 글") < body.index("조용한 글")
    assert "4 new comments and reactions" in body
    assert "답 없는 질문" in body
    assert "ROAS 스터디" in body
    assert f"/c/perf/t/{world.lively.pk}/" in body


def test_the_digest_is_in_the_members_language():
    world = World(language="ko")
    (member,) = world.members

    digests_send_due(now=world.now)

    (message,) = mails_to(member)
    assert message.subject == "[모임] 이번 주 모임 소식"
    assert "반응이 많은 글" in message.body
    assert "답을 기다리는 질문" in message.body
    assert "신청받는 모임" in message.body


def test_the_html_part_has_inline_css_and_nothing_from_outside():
    world = World()
    (member,) = world.members

    digests_send_due(now=world.now)

    (message,) = mails_to(member)
    ((html, mime),) = message.alternatives
    assert mime == "text/html"
    assert "<style" not in html
    assert 'style="' in html
    assert "<img" not in html
    assert "<link" not in html
    assert "url(" not in html
    assert "활발한 글" in html


def test_every_digest_offers_one_click_unsubscribe():
    world = World()
    (member,) = world.members

    digests_send_due(now=world.now)

    (message,) = mails_to(member)
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_a_second_run_in_the_same_week_sends_nothing():
    world = World(members=3)

    digests_send_due(now=world.now)
    first = len(mail.outbox)
    digests_send_due(now=world.now + timedelta(hours=5))

    assert first == 4  # three members and the owner
    assert len(mail.outbox) == first
    period = digest_period("weekly", world.now)
    assert DigestSent.objects.filter(period=period).count() == 4


def test_a_run_that_dies_mid_chunk_sends_nobody_two_digests(settings, monkeypatch):
    """The real task queue: the mail rows of the chunk that died roll back
    with its DigestSent rows; the run after sends exactly the rest."""
    from django_tasks_db.models import DBTaskResult

    world = World(members=4)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    real_mail = digest_service.mail_member
    sent = []

    def dies_on_the_fourth(**kwargs):
        if len(sent) == 3:
            raise RuntimeError("worker killed")
        sent.append(kwargs["to"])
        return real_mail(**kwargs)

    monkeypatch.setattr(digest_service, "mail_member", dies_on_the_fourth)
    with pytest.raises(RuntimeError):
        digests_send_due(now=world.now, chunk=2)
    queued_before = DBTaskResult.objects.filter(
        task_path="community.tasks.email_send"
    ).count()
    monkeypatch.setattr(digest_service, "mail_member", real_mail)

    digests_send_due(now=world.now, chunk=2)
    digests_send_due(now=world.now, chunk=2)

    assert queued_before == 2  # the first chunk; the second rolled back
    queued = DBTaskResult.objects.filter(task_path="community.tasks.email_send")
    recipients = [tuple(t.args_kwargs["kwargs"]["to"]) for t in queued]
    assert len(recipients) == 5
    assert len(set(recipients)) == 5


def test_a_daily_member_gets_one_a_day_and_off_gets_none():
    world = World(members=2)
    daily, off = world.members
    preferences_update(member=daily, choices={}, digest="daily")
    preferences_update(member=off, choices={}, digest="off")

    digests_send_due(now=world.now)
    digests_send_due(now=world.now + timedelta(hours=2))
    digests_send_due(now=world.now + timedelta(days=1))

    assert len(mails_to(daily)) == 2
    assert mails_to(daily)[0].subject == "[Moim] Your daily digest"
    assert mails_to(off) == []


def test_nothing_goes_out_before_the_morning():
    world = World()
    night = world.now
    while timezone.localtime(night).hour >= digest_service.SEND_FROM_HOUR:
        night -= timedelta(hours=1)

    assert digests_send_due(now=night) == 0
    assert not DigestSent.objects.exists()


def test_a_member_with_nothing_to_read_gets_no_mail_but_the_period_is_done():
    member = member_create(language="en")
    owner = member_create()
    community = community_create(
        name="조용한 곳", slug="quiet", role=JobRole.BACKEND, owner=owner
    )
    Membership.objects.create(community=community, member=member)
    now = morning_after(timezone.now())

    digests_send_due(now=now)

    assert mails_to(member) == []
    sent = DigestSent.objects.get(member=member)
    assert sent.mailed is False


def test_a_community_that_banned_the_member_is_left_out():
    from community.access import access_for
    from community.models import SanctionKind
    from community.services.moderation import sanction_impose

    world = World(members=1)
    (member,) = world.members
    other = community_create(
        name="다른 곳", slug="other", role=JobRole.BACKEND, owner=world.owner
    )
    Membership.objects.create(community=other, member=member)
    sanction_impose(
        access=access_for(world.owner, world.community),
        member=member,
        kind=SanctionKind.BAN,
        reason="스팸",
        ends_at=None,
    )

    digests_send_due(now=world.now)

    assert all("활발한 글" not in m.body for m in mails_to(member))


@pytest.mark.parametrize("size", [2, 12])
def test_the_digest_run_queries_do_not_grow_with_members(
    size, django_assert_max_num_queries
):
    world = World(members=size)

    with django_assert_max_num_queries(24):
        digests_send_due(now=world.now)

    assert len(mail.outbox) >= size

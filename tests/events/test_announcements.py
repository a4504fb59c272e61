"""New gatherings told to the community: batched, once per member, in their
language, never to the banned, those who left or switched it off, and never
with the video link."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from community.access import access_for
from community.models import Membership, SanctionKind
from community.services.communities import community_leave
from community.services.moderation import sanction_impose
from community.services.preferences import preferences_update
from events.models import AnnouncementBatch, AnnouncementDelivery
from events.services import announcements
from events.services.announcements import (
    ANNOUNCE_AFTER,
    announcement_batch_send,
    announcements_send_due,
)
from tests.events.factories import (
    MARKER_LINK,
    gathering_make,
    member_joined,
    notices_to,
    organiser_of,
)
from tests.factories import community_create

pytestmark = pytest.mark.django_db


def later():
    return timezone.now() + ANNOUNCE_AFTER + timedelta(seconds=1)


def three_published(community, organiser):
    return [
        gathering_make(community=community, organiser=organiser, title=title)
        for title in ("첫째 모임", "둘째 모임", "셋째 모임")
    ]


@pytest.fixture
def community():
    return community_create(name="퍼포먼스 마케팅")


@pytest.fixture
def organiser(community):
    return organiser_of(community)


def test_three_publishes_make_one_batch_and_one_mail_per_member(community, organiser):
    korean = member_joined(community, language="ko")
    english = member_joined(community, language="en")
    three_published(community, organiser)
    assert AnnouncementBatch.objects.filter(community=community).count() == 1
    mail.outbox.clear()

    announcements_send_due(now=later())

    to_korean = [m for m in mail.outbox if m.to == [korean.email]]
    to_english = [m for m in mail.outbox if m.to == [english.email]]
    assert len(to_korean) == len(to_english) == 1
    for title in ("첫째 모임", "둘째 모임", "셋째 모임"):
        assert title in to_korean[0].body
        assert title in to_english[0].body
    assert "새 모임 3개" in to_korean[0].subject
    assert "3 new gatherings" in to_english[0].subject
    assert "Hello" in to_english[0].body and "안녕하세요" in to_korean[0].body


def test_each_member_gets_an_in_app_notice_per_gathering(community, organiser):
    member = member_joined(community)
    three_published(community, organiser)

    announcements_send_due(now=later())

    assert len(notices_to(member, "New gathering in 퍼포먼스 마케팅")) == 3


def test_nothing_goes_out_before_the_batch_is_due(community, organiser):
    member_joined(community)
    three_published(community, organiser)
    mail.outbox.clear()

    announcements_send_due(now=timezone.now())

    assert mail.outbox == []


def test_a_gathering_published_after_the_batch_went_out_opens_a_new_one(
    community, organiser
):
    member = member_joined(community)
    gathering_make(community=community, organiser=organiser, title="첫째 모임")
    announcements_send_due(now=later())
    mail.outbox.clear()

    gathering_make(community=community, organiser=organiser, title="넷째 모임")
    announcements_send_due(now=later())

    (message,) = [m for m in mail.outbox if m.to == [member.email]]
    assert "넷째 모임" in message.body
    assert "첫째 모임" not in message.body


def test_sending_twice_tells_nobody_twice(community, organiser):
    member_joined(community)
    member_joined(community)
    three_published(community, organiser)
    batch = AnnouncementBatch.objects.get(community=community)
    mail.outbox.clear()

    announcement_batch_send(batch_id=batch.pk, now=later())
    AnnouncementBatch.objects.filter(pk=batch.pk).update(sent_at=None)
    announcement_batch_send(batch_id=batch.pk, now=later())

    # The two members; the organiser published them.
    assert len(mail.outbox) == 2


def test_a_run_interrupted_mid_batch_resumes_with_those_not_told(
    community, organiser, monkeypatch
):
    members = [member_joined(community) for _ in range(5)]
    three_published(community, organiser)
    batch = AnnouncementBatch.objects.get(community=community)
    mail.outbox.clear()
    real_tell = announcements._tell
    calls = []

    def dies_on_the_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_tell(**kwargs)

    monkeypatch.setattr(announcements, "_tell", dies_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        announcement_batch_send(batch_id=batch.pk, now=later(), chunk=2)
    told_first = AnnouncementDelivery.objects.filter(batch=batch).count()
    monkeypatch.setattr(announcements, "_tell", real_tell)

    announcement_batch_send(batch_id=batch.pk, now=later(), chunk=2)

    assert told_first == 2
    for member in members:
        assert len([m for m in mail.outbox if m.to == [member.email]]) == 1
    batch.refresh_from_db()
    assert batch.sent_at is not None


def test_not_to_the_banned_those_who_left_or_switched_it_off(community, organiser):
    stays = member_joined(community)
    banned = member_joined(community)
    leaves = member_joined(community)
    no_mail = member_joined(community)
    nothing = member_joined(community)
    sanction_impose(
        access=access_for(organiser, community),
        member=banned,
        kind=SanctionKind.BAN,
        reason="스팸",
        ends_at=None,
    )
    community_leave(access=access_for(leaves, community))
    preferences_update(member=no_mail, choices={("gathering_new", "email"): False})
    preferences_update(
        member=nothing,
        choices={("gathering_new", "email"): False, ("gathering_new", "in_app"): False},
    )
    gathering_make(community=community, organiser=organiser, title="첫째 모임")
    mail.outbox.clear()

    announcements_send_due(now=later())

    mailed = {tuple(m.to) for m in mail.outbox}
    assert (stays.email,) in mailed
    for member in (banned, leaves, no_mail, nothing):
        assert (member.email,) not in mailed
    assert notices_to(no_mail, "New gathering")
    assert not notices_to(nothing, "New gathering")
    assert not notices_to(banned, "New gathering")


def test_the_mail_never_carries_the_video_link_and_offers_one_click_unsubscribe(
    community, organiser
):
    member = member_joined(community)
    gathering_make(community=community, organiser=organiser)
    mail.outbox.clear()

    announcements_send_due(now=later())

    (message,) = [m for m in mail.outbox if m.to == [member.email]]
    assert MARKER_LINK not in message.body
    assert "MARKER" not in str(message.message())
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_a_gathering_cancelled_before_the_batch_is_not_announced(community, organiser):
    from events.services.gatherings import gathering_cancel

    member = member_joined(community)
    kept, cancelled = (
        gathering_make(community=community, organiser=organiser, title=t)
        for t in ("남는 모임", "취소된 모임")
    )
    gathering_cancel(gathering=cancelled, reason="사정")
    mail.outbox.clear()

    announcements_send_due(now=later())

    (message,) = [m for m in mail.outbox if m.to == [member.email]]
    assert kept.title in message.body
    assert "취소된 모임" not in message.body


def test_a_gathering_is_queued_once_whatever_happens(community, organiser):
    gathering = gathering_make(community=community, organiser=organiser)

    with transaction.atomic():
        announcements.announcement_queue(gathering=gathering)

    assert AnnouncementBatch.objects.filter(community=community).count() == 1


@pytest.mark.parametrize("size", [3, 12])
def test_the_batch_queries_do_not_grow_with_members(
    community, organiser, size, django_assert_max_num_queries
):
    for _ in range(size):
        member_joined(community)
    three_published(community, organiser)
    Membership.objects.filter(community=community)
    mail.outbox.clear()

    # 19: closing the batch under its lock takes a savepoint, the locked
    # read and the update (constant, whatever the community's size).
    with django_assert_max_num_queries(19):
        announcements_send_due(now=later())

    assert len(mail.outbox) == size


def test_nobody_is_told_of_a_gathering_they_published_themselves(community, organiser):
    other_moderator = organiser_of(community)
    gathering_make(community=community, organiser=organiser, title="내가 연 모임")
    gathering_make(community=community, organiser=other_moderator, title="남이 연 모임")
    mail.outbox.clear()

    announcements_send_due(now=later())

    (to_organiser,) = [m for m in mail.outbox if m.to == [organiser.email]]
    assert "남이 연 모임" in to_organiser.body
    assert "내가 연 모임" not in to_organiser.body
    assert notices_to(organiser, "New gathering") == [
        "New gathering in 퍼포먼스 마케팅: ‘남이 연 모임’"
    ]


def test_a_gathering_published_while_its_batch_is_being_sent_goes_in_a_later_one(
    community, organiser, monkeypatch
):
    members = [member_joined(community) for _ in range(3)]
    gathering_make(community=community, organiser=organiser, title="첫째 모임")
    batch = AnnouncementBatch.objects.get(community=community)
    mail.outbox.clear()
    real_tell = announcements._tell
    chunks = []

    def publishes_after_the_first_chunk(**kwargs):
        real_tell(**kwargs)
        chunks.append(1)
        if len(chunks) == 1:
            gathering_make(community=community, organiser=organiser, title="늦은 모임")

    monkeypatch.setattr(announcements, "_tell", publishes_after_the_first_chunk)
    announcement_batch_send(batch_id=batch.pk, now=later(), chunk=1)
    monkeypatch.setattr(announcements, "_tell", real_tell)
    announcements_send_due(now=later() + ANNOUNCE_AFTER)

    for member in members:
        late = [
            m for m in mail.outbox if m.to == [member.email] and "늦은 모임" in m.body
        ]
        assert len(late) == 1
        assert "첫째 모임" not in late[0].body
    assert AnnouncementBatch.objects.filter(community=community).count() == 2

"""Receipts (events/services/receipts.py): on applying to a lottery and after
its draw, each applicant gets what they need to check the draw later, in
the app and by email, in their own language."""

import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from community.models import Notification
from community.templatetags.notifications import notification_text
from events.draw_publication import draw_record_hash
from events.models import Application, Draw, SelectionMode
from tests.community.forum_data import community_make, join
from tests.events.test_attend_views import (
    action_url,
    apply,
    close_and_draw,
    gathering_make,
)
from tests.factories import member_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return community_make()


def applicant(community, language="ko"):
    member = member_create(language=language)
    join(member, community)
    return member


def said_to(notification, language: str) -> str:
    """The notification as its reader sees it, in ``language``."""
    with translation.override(language):
        return notification_text(notification)


def mails_to(member) -> list:
    return [m for m in mail.outbox if member.email in m.to]


def test_applying_to_a_lottery_gives_a_receipt_in_the_app_and_by_mail(community):
    gathering = gathering_make(community, capacity=2)
    member = applicant(community, "ko")
    mail.outbox.clear()
    application = apply(member, gathering)
    notification = Notification.objects.get(recipient=member)
    text = said_to(notification, "ko")
    assert application.public_id in text
    assert "1.0" in text
    assert gathering.draw_commitment in text
    assert notification.link.endswith("#my-application")
    (message,) = mails_to(member)
    assert "영수증" in message.subject
    assert application.public_id in message.body
    assert gathering.draw_commitment in message.body
    assert "공개 ID" in message.body or "공개 id" in message.body.lower()


def test_a_receipt_speaks_the_members_language(community):
    gathering = gathering_make(community, capacity=2)
    member = applicant(community, "en")
    mail.outbox.clear()
    apply(member, gathering)
    (message,) = mails_to(member)
    assert message.subject.startswith("[Moim] Your receipt:")
    assert "Your public id" in message.body
    notification = Notification.objects.get(recipient=member)
    assert said_to(notification, "en").startswith("Receipt for ‘")


def test_a_first_come_application_gets_no_receipt(community):
    gathering = gathering_make(
        community, capacity=2, selection_mode=SelectionMode.FIRST_COME
    )
    member = applicant(community)
    mail.outbox.clear()
    apply(member, gathering)
    assert not [
        n
        for n in Notification.objects.filter(recipient=member)
        if "commitment" in said_to(n, "en")
    ]
    assert not [m for m in mails_to(member) if "receipt" in m.subject.lower()]


def test_after_the_draw_each_applicant_is_mailed_their_rank_and_the_record_hash(
    client, community
):
    gathering = gathering_make(community, capacity=1)
    members = [applicant(community, language) for language in ("ko", "en", "en")]
    for member in members:
        apply(member, gathering)
    mail.outbox.clear()
    close_and_draw(gathering)
    record = Draw.objects.get(gathering=gathering).record
    served = json.loads(client.get(action_url("draw_record", gathering)).content)
    record_hash = draw_record_hash(served)
    assert record_hash == draw_record_hash(record)
    results = reverse("draw_results", args=[community.slug, gathering.pk])
    for member in members:
        application = Application.objects.get(gathering=gathering, member=member)
        receipts = [m for m in mails_to(member) if record_hash in m.body]
        assert len(receipts) == 1, member.language
        body = receipts[0].body
        assert application.public_id in body
        assert record["frozen_digest"] in body
        assert results in body
        if member.language == "en":
            assert f"drawn number {application.rank} of 3" in body
        else:
            assert f"3명 중 {application.rank}번째" in body

"""Notifications keep their facts (the sentence's source text and its
parameters) and are said in the reader's language, and on the reader's
clock, when read; rows stored as text before that are read back into facts
(migration 0013)."""

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from community.access import access_for
from community.models import Notification, NotificationKind, SanctionKind
from community.services.moderation import sanction_impose
from events.services.notices import notice_send
from events.services.surveys import INVITATION
from tests.community.forum_data import community_make, join
from tests.events.factories import gathering_make
from tests.factories import member_create

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
CLOSE = datetime(2026, 12, 12, 19, 0, tzinfo=SEOUL)


def facts_from_text() -> None:
    """Migration 0013's step, on the rows as they are now."""
    importlib.import_module(
        "community.migrations.0015_notification_facts_from_text"
    ).forwards(apps, None)


def notification_text(notification) -> str:
    from community.templatetags.notifications import notification_text

    return notification_text(notification)


def _page(client, member, language: str) -> str:
    client.force_login(member)
    return client.get(
        reverse("notification_list"), headers={"accept-language": language}
    ).text


def _english(client, member) -> str:
    # The member reads the site in English from now on.
    member.language = "en"
    member.save(update_fields=["language"])
    return _page(client, member, "en")


def test_a_gathering_ended_notice_sent_in_korean_reads_in_english_later(client):
    member = member_create(language="ko")
    gathering = gathering_make(title="데이터 분석 밋업")
    notice_send(
        members=[member],
        gathering=gathering,
        detail=INVITATION,
        context={"close": CLOSE},
    )
    korean = _page(client, member, "ko")
    assert "‘데이터 분석 밋업’ 모임이 끝났어요" in korean
    assert "12월 12일 (토) 오후 7:00" in korean

    english = _english(client, member)
    assert "‘데이터 분석 밋업’ is over. Please tell the organisers" in english
    assert "Sat, Dec 12, 7:00 PM" in english
    assert "끝났어요" not in english


def test_a_moderators_notice_reads_in_the_readers_language(client):
    moderator, member = member_create(), member_create(language="ko")
    community = community_make(name="퍼포먼스 마케팅", owner=moderator)
    join(member, community)
    sanction_impose(
        access=access_for(moderator, community),
        member=member,
        kind=SanctionKind.MUTE,
        reason="도배",
        ends_at=None,
    )
    assert "퍼포먼스 마케팅에서 글쓰기가 제한됐어요" in _page(client, member, "ko")
    english = _english(client, member)
    assert "You are muted in 퍼포먼스 마케팅. Reason: 도배" in english


def _old_row(member, text: str, kind=NotificationKind.GATHERING) -> Notification:
    return Notification.objects.create(recipient=member, kind=kind, detail=text)


def test_old_korean_rows_become_facts_said_in_english(client):
    member = member_create(language="ko")
    with translation.override("ko"):
        text = translation.gettext(INVITATION) % {
            "title": "데이터 분석 밋업",
            # How Django's Korean format wrote times before.
            "close": "2026년 12월 12일 7:00 오후",
        }
    row = _old_row(member, text)

    facts_from_text()

    row.refresh_from_db()
    assert row.message == INVITATION
    assert row.params["title"] == "데이터 분석 밋업"
    assert row.params["close"] == {"moment": CLOSE.isoformat()}
    with translation.override("en"):
        assert notification_text(row).startswith(
            "‘데이터 분석 밋업’ is over. Please tell the organisers how it went in its "
            "anonymous survey, open until Sat, Dec 12, 7:00 PM."
        )


def test_old_english_rows_read_their_times_back_too():
    member = member_create(language="en")
    row = _old_row(
        member,
        "A seat at ‘Meetup’ is yours if you confirm by Dec. 12, 2026, noon.",
    )
    facts_from_text()
    row.refresh_from_db()
    with translation.override("ko"):
        assert "12월 12일 (토) 오후 12:00" in notification_text(row)


def test_old_moderation_rows_with_a_reason_become_nested_facts():
    member = member_create(language="ko")
    with translation.override("ko"):
        # The Korean the service wrote for a hidden thread, with its reason.
        text = translation.gettext("%(sentence)s Reason: %(reason)s") % {
            "sentence": translation.gettext(
                "A moderator of %(community)s hid your thread."
            )
            % {"community": "퍼포먼스 마케팅"},
            "reason": "홍보 규칙 위반",
        }
    row = _old_row(member, text, kind=NotificationKind.MODERATION)

    facts_from_text()

    row.refresh_from_db()
    with translation.override("en"):
        assert notification_text(row) == (
            "A moderator of 퍼포먼스 마케팅 hid your thread. Reason: 홍보 규칙 위반"
        )


def test_an_old_row_nothing_matches_keeps_its_text():
    row = _old_row(member_create(), "알 수 없는 옛 알림")
    facts_from_text()
    row.refresh_from_db()
    assert row.message == ""
    assert notification_text(row) == "알 수 없는 옛 알림"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ko", "12월 12일 (토) 오후 7:00"), ("en", "Sat, Dec 12, 7:00 PM")],
)
def test_a_notice_mail_says_its_time_the_same_way(mailoutbox, language, expected):
    member = member_create(language=language)
    gathering = gathering_make(title="데이터 분석 밋업")
    notice_send(
        members=[member],
        gathering=gathering,
        detail=INVITATION,
        context={"close": CLOSE},
    )
    (message,) = [m for m in mailoutbox if member.email in m.to]
    assert expected in message.body


def test_a_row_whose_parameters_do_not_fit_its_sentence_still_reads(client):
    """A stored sentence missing a parameter it names (or an older catalogue
    entry naming another) is shown as its source text, not a server error."""
    member = member_create()
    Notification.objects.create(
        recipient=member,
        kind=NotificationKind.GATHERING,
        message="Hello %(name)s",
        params={},
    )
    page = _page(client, member, "en")
    assert "Hello %(name)s" in page

"""Plain-text mail is not HTML: a title or name with ``&`` or ``'`` arrives
as written in the subject and the body, never as ``&amp;`` or ``&#x27;``."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.services.announcements import ANNOUNCE_AFTER, announcements_send_due
from events.services.followups import followups_run
from events.services.notices import notices_send
from events.services.path import takeaway_save
from tests.events.factories import gathering_held, gathering_make, member_joined
from tests.factories import community_create

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Q&A: 'PM' 모임"
ESCAPED = ("&amp;", "&#x27;", "&#39;", "&quot;", "&lt;", "&gt;")


def _as_written(message) -> None:
    assert TITLE in message.subject
    assert TITLE in message.body
    for entity in ESCAPED:
        assert entity not in message.subject
        assert entity not in message.body


def _plain_text_mail_templates() -> list[Path]:
    return sorted(
        path
        for app in ("community", "events", "realtime", "templates")
        for path in (ROOT / app).rglob("*.txt")
        if path.name.endswith(("_subject.txt", "_message.txt"))
    )


def test_there_are_plain_text_mail_templates_to_check():
    assert len(_plain_text_mail_templates()) >= 10


@pytest.mark.parametrize(
    "path", _plain_text_mail_templates(), ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_plain_text_mail_template_turns_html_escaping_off(path):
    text = path.read_text()
    assert "{% autoescape off %}" in text
    assert text.rstrip().endswith("{% endautoescape %}")


@pytest.mark.django_db
def test_the_followup_mail_shows_the_title_as_written():
    gathering, (member,) = gathering_held(attendees=1, title=TITLE)
    takeaway_save(member=member, gathering=gathering, learned="배운 점")
    mail.outbox.clear()

    followups_run(
        now=gathering.ends_at + timedelta(days=settings.MOIM_FOLLOWUP_AFTER_DAYS)
    )

    (message,) = [m for m in mail.outbox if m.to == [member.email]]
    _as_written(message)


@pytest.mark.django_db
def test_a_notice_mail_shows_the_title_as_written():
    community = community_create()
    member = member_joined(community)
    gathering = gathering_make(community=community, title=TITLE)
    mail.outbox.clear()

    notices_send(
        items=[(member, {})],
        gathering=gathering,
        detail=_("The gathering ‘%(title)s’ changed."),
    )

    (message,) = [m for m in mail.outbox if m.to == [member.email]]
    _as_written(message)


@pytest.mark.django_db
def test_the_announcement_mail_shows_the_title_as_written():
    community = community_create(name="퍼포먼스 마케팅")
    member = member_joined(community)
    gathering_make(community=community, title=TITLE)
    mail.outbox.clear()

    announcements_send_due(now=timezone.now() + ANNOUNCE_AFTER * 2)

    (message,) = [m for m in mail.outbox if m.to == [member.email]]
    _as_written(message)

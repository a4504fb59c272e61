"""Your data (issue #18): a member downloads everything Moim holds about
them as a ZIP (JSON and a readable HTML page), built by a background task,
offered through an expiring link that only they can open; one request a
day; never another member's private data, never a survey answer."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.models import (
    Bookmark,
    DataExport,
    DataExportStatus,
    Membership,
    Notification,
    NotificationKind,
    Reaction,
    ReactionKind,
)
from community.personal_data import SECTIONS
from community.services.personal_data import (
    data_export_build,
    data_export_expire,
    data_export_request,
    data_export_token,
)
from events.services.path import takeaway_save
from events.services.surveys import response_submit
from realtime.models import Message, Room
from tests.community.forum_data import comment_make, community_make, thread_make
from tests.events.factories import gathering_held, survey_answers

SURVEY_ANSWER = "SURVEY-ANSWER-MARKER-41"
HOSTILE_TITLE = '<script>alert("x")</script><img src="https://evil.example/a.png">'
FORMULA = '=HYPERLINK("https://evil.example","click")'
OTHERS_SECRET = "OTHER-MEMBER-PRIVATE-77"


@pytest.fixture
def world(db):
    community = community_make()
    held, attendees = gathering_held(attendees=3, community=community)
    member, other = attendees[0], attendees[1]
    answered_at = held.ends_at + timedelta(hours=1)
    for attendee in (member, other):
        response_submit(
            member=attendee,
            gathering=held,
            answers=survey_answers(4, useful=SURVEY_ANSWER),
            now=answered_at,
        )
    takeaway_save(member=member, gathering=held, learned=FORMULA, now=answered_at)
    takeaway_save(member=other, gathering=held, learned=OTHERS_SECRET, now=answered_at)
    Membership.objects.get_or_create(community=community, member=member)
    thread = thread_make(community, member, title=HOSTILE_TITLE, body=FORMULA)
    comment_make(thread, member, body="내 댓글")
    others_thread = thread_make(community, other, title="다른 사람의 글")
    Reaction.objects.create(
        member=member, thread=others_thread, kind=ReactionKind.HELPFUL
    )
    Bookmark.objects.create(member=member, thread=others_thread)
    Notification.objects.create(
        recipient=member, kind=NotificationKind.REPLY, actor=other, thread=thread
    )
    Notification.objects.create(
        recipient=other,
        kind=NotificationKind.MODERATION,
        detail=OTHERS_SECRET,
    )
    room, _ = Room.objects.get_or_create(community=community)
    Message.objects.create(room=room, seq=1, client_id="a", author=member, body="채팅")
    Message.objects.create(
        room=room, seq=2, client_id="b", author=other, body=OTHERS_SECRET
    )
    return {"member": member, "other": other, "held": held}


def export_of(member, capture) -> DataExport:
    with capture(execute=True):
        export = data_export_request(member=member)
    export.refresh_from_db()
    return export


def archive(export: DataExport) -> dict[str, str]:
    with storages["private"].open(export.file_name, "rb") as file:
        content = file.read()
    with zipfile.ZipFile(io.BytesIO(content)) as zipped:
        return {name: zipped.read(name).decode() for name in zipped.namelist()}


def test_the_zip_holds_every_section_as_json_and_html(
    world, django_capture_on_commit_callbacks
):
    export = export_of(world["member"], django_capture_on_commit_callbacks)
    assert export.status == DataExportStatus.READY
    files = archive(export)
    assert set(files) == {"moim-data/data.json", "moim-data/index.html"}
    data = json.loads(files["moim-data/data.json"])
    for section in SECTIONS:
        assert section.key in data, section.key
        assert f'id="{section.key}"' in files["moim-data/index.html"]
    assert data["profile"]["email"] == world["member"].email
    assert [t["title"] for t in data["threads"]] == [HOSTILE_TITLE]
    assert [c["body"] for c in data["comments"]] == ["내 댓글"]
    assert data["reactions"][0]["kind"] == ReactionKind.HELPFUL
    assert data["bookmarks"][0]["thread"] == "다른 사람의 글"
    assert {a["status"] for a in data["applications"]} == {"confirmed"}
    assert data["join_urls"][0]["gathering"] == world["held"].title
    assert data["path"]["takeaways"][0]["learned"] == FORMULA
    assert data["surveys"] == [{"gathering": world["held"].title}]
    assert NotificationKind.REPLY in {n["kind"] for n in data["notifications"]}
    assert [m["body"] for m in data["chat_messages"]] == ["채팅"]


def test_never_a_survey_answer_nor_another_members_private_data(
    world, django_capture_on_commit_callbacks
):
    files = archive(export_of(world["member"], django_capture_on_commit_callbacks))
    everything = "".join(files.values())
    assert SURVEY_ANSWER not in everything
    assert OTHERS_SECRET not in everything
    assert world["other"].email not in everything
    assert world["other"].real_name not in everything


def test_the_html_page_escapes_everything_and_loads_nothing(
    world, django_capture_on_commit_callbacks
):
    html = archive(export_of(world["member"], django_capture_on_commit_callbacks))[
        "moim-data/index.html"
    ]
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    # No asset from anywhere: no element with a src, no stylesheet link, no
    # url() (the hostile title's <img src=...> is text, escaped).
    assert not re.search(r"<[^>]*\ssrc=|<link|url\(", html)
    # JSON keeps the member's text exactly (it is not a spreadsheet); the
    # page shows it as text.
    assert "=HYPERLINK(&quot;https://evil.example&quot;" in html


def test_the_page_is_in_the_members_language(world, django_capture_on_commit_callbacks):
    member = world["member"]
    member.language = "ko"
    member.save(update_fields=["language"])
    html = archive(export_of(member, django_capture_on_commit_callbacks))[
        "moim-data/index.html"
    ]
    assert "모임에 있는 내 데이터" in html
    assert '<html lang="ko">' in html


def test_one_request_a_day(world, django_capture_on_commit_callbacks):
    member = world["member"]
    export_of(member, django_capture_on_commit_callbacks)
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(member)
    refused = client.post(reverse("data_export"))
    assert refused.status_code == 400
    assert "하루에 한 번" in refused.text
    assert DataExport.objects.filter(member=member).count() == 1
    DataExport.objects.filter(member=member).update(
        requested_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    assert client.post(reverse("data_export")).status_code == 302
    assert DataExport.objects.filter(member=member).count() == 2


def test_the_member_requests_and_downloads_their_zip(
    world, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(world["member"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("data_export")).status_code == 302
    page = client.get(reverse("data_export"))
    (link,) = re.findall(r'href="(/me/data/download/[^"]+)"', page.text)
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_only_the_member_can_open_the_link(world, django_capture_on_commit_callbacks):
    export = export_of(world["member"], django_capture_on_commit_callbacks)
    url = reverse("data_export_download", args=[data_export_token(export)])
    other = Client()
    other.force_login(world["other"])
    assert other.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in
    altered = reverse("data_export_download", args=[data_export_token(export) + "x"])
    mine = Client()
    mine.force_login(world["member"])
    assert mine.get(altered).status_code == 404


def test_the_link_expires_and_the_file_is_deleted(
    world, django_capture_on_commit_callbacks
):
    export = export_of(world["member"], django_capture_on_commit_callbacks)
    url = reverse("data_export_download", args=[data_export_token(export)])
    DataExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    client = Client()
    client.force_login(world["member"])
    assert client.get(url).status_code == 410
    data_export_expire(export_id=export.pk)
    assert not storages["private"].exists(export.file_name)
    assert DataExport.objects.get(pk=export.pk).file_name == ""


def test_the_data_page_deletes_expired_files(world, django_capture_on_commit_callbacks):
    export = export_of(world["member"], django_capture_on_commit_callbacks)
    DataExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    client = Client()
    client.force_login(world["member"])
    assert client.get(reverse("data_export")).status_code == 200
    assert not storages["private"].exists(export.file_name)


def test_building_twice_changes_nothing(world, django_capture_on_commit_callbacks):
    export = export_of(world["member"], django_capture_on_commit_callbacks)
    data_export_build(export_id=export.pk)
    again = DataExport.objects.get(pk=export.pk)
    assert (again.file_name, again.ready_at) == (export.file_name, export.ready_at)


def test_the_file_has_no_public_address(world, django_capture_on_commit_callbacks):
    """The private storage lies outside the static files, and no URL of the
    site serves it: only the download view reads it."""
    export = export_of(world["member"], django_capture_on_commit_callbacks)
    location = str(storages["private"].location)
    assert not location.startswith(str(settings.STATIC_ROOT))
    client = Client()
    client.force_login(world["member"])
    for prefix in ("/", "/media/", "/private/", settings.STATIC_URL):
        assert client.get(prefix + export.file_name).status_code == 404


def test_the_notification_settings_are_exported_as_they_drive_mail(db):
    from community.models import DigestFrequency, NotificationChannel
    from community.models import NotificationTopic as T
    from community.personal_data import personal_data
    from community.preferences import unsubscribe_token
    from community.services.preferences import digest_set, preference_unsubscribe
    from tests.factories import member_create

    member = member_create()
    preference_unsubscribe(token=unsubscribe_token(member, T.REPLY))
    digest_set(member=member, frequency=DigestFrequency.DAILY)

    data = {section.key: rows for section, rows in personal_data(member)}

    settings_ = data["notification_settings"]
    choices = {(c["topic"], c["channel"]): c["enabled"] for c in settings_["choices"]}
    assert choices[(T.REPLY, NotificationChannel.EMAIL)] is False
    assert choices[(T.REPLY, NotificationChannel.IN_APP)] is True
    assert choices[(T.MENTION, NotificationChannel.EMAIL)] is True
    assert settings_["digest_frequency"] == DigestFrequency.DAILY
    # The old switches drive nothing any more: not exported as if they did.
    assert "email_on_reply" not in data["profile"]
    assert "email_on_mention" not in data["profile"]

"""The organisers' messages page, cancelling, and the recipient's page: what
each shows and refuses, the rate limit, and the page's query count at two
sizes. Who may open them is the access matrix's (tests/access_matrix.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.access import access_for
from events.models import (
    ApplicationStatus,
    Gathering,
    GatheringMessage,
    MessageDelivery,
    MessageStatus,
)
from events.services.messages import message_create
from tests.events.factories import (
    MARKER_LINK,
    gathering_drawn,
    guards_bypassed,
    member_joined,
    with_status,
)
from tests.factories import client_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn():
    gathering, members = gathering_drawn(capacity=2, applicants=5)
    mail.outbox.clear()
    return gathering, members


def _released(gathering) -> None:
    """The link's release time moved into the past (the factory's start is
    weeks ahead), so a message may name it."""
    with guards_bypassed():
        Gathering.objects.filter(pk=gathering.pk).update(
            link_release_before=timedelta(days=365)
        )
    gathering.refresh_from_db()


def _url(gathering, name="gathering_messages", *extra):
    return reverse(name, args=[gathering.community.slug, gathering.pk, *extra])


def _post(client, gathering, **fields):
    data = {"segment": "all", "subject": "안내", "body": "본문", "when": "now"}
    data.update(fields)
    return client.post(_url(gathering), data)


def test_the_page_shows_each_segments_count(client, drawn):
    gathering, _ = drawn
    client_sign_in(client, gathering.created_by)

    response = client.get(_url(gathering))

    assert response.status_code == 200
    text = response.content.decode()
    assert "· 5" in text and "· 3" in text  # all applicants, the waitlist


def test_a_message_sent_now_is_listed_with_its_count(client, drawn):
    gathering, _ = drawn
    client_sign_in(client, gathering.created_by)

    response = _post(client, gathering, segment="waitlisted", subject="대기 안내")

    assert response.status_code == 302
    message = GatheringMessage.objects.get()
    assert message.status == MessageStatus.SENT and message.recipient_count == 3
    listed = client.get(_url(gathering)).content.decode()
    assert "대기 안내" in listed
    assert len(mail.outbox) == 3


def test_a_scheduled_message_is_listed_and_can_be_cancelled(client, drawn):
    gathering, _ = drawn
    client_sign_in(client, gathering.created_by)
    later = timezone.localtime(timezone.now() + timedelta(hours=3))

    response = _post(
        client, gathering, when="later", send_at=later.strftime("%Y-%m-%dT%H:%M")
    )

    assert response.status_code == 302
    message = GatheringMessage.objects.get()
    assert message.status == MessageStatus.SCHEDULED
    assert mail.outbox == []
    cancelled = client.post(_url(gathering, "gathering_message_cancel", message.pk))
    assert cancelled.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED


def test_sending_later_needs_a_time_to_come(client, drawn):
    gathering, _ = drawn
    client_sign_in(client, gathering.created_by)
    past = timezone.localtime(timezone.now() - timedelta(hours=1))

    missing = _post(client, gathering, when="later")
    passed = _post(
        client, gathering, when="later", send_at=past.strftime("%Y-%m-%dT%H:%M")
    )

    assert (missing.status_code, passed.status_code) == (400, 400)
    assert not GatheringMessage.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        MARKER_LINK,
        f"[여기로 오세요]({MARKER_LINK.upper()}/)",
        "zoom.example/j/MARKER%2D123",
    ],
)
def test_the_form_refuses_the_video_link_to_all_applicants(client, drawn, body):
    gathering, _ = drawn
    client_sign_in(client, gathering.created_by)

    response = _post(client, gathering, body=body)

    assert response.status_code == 400
    assert "video link" in response.content.decode() or "화상" in (
        response.content.decode()
    )
    assert not GatheringMessage.objects.exists()
    assert mail.outbox == []


def test_the_sixth_message_in_an_hour_is_refused(client, drawn):
    gathering, _ = drawn
    client_sign_in(client, gathering.created_by)
    for n in range(5):
        assert _post(client, gathering, subject=f"안내 {n}").status_code == 302

    refused = _post(client, gathering, subject="하나 더")

    assert refused.status_code == 429
    assert GatheringMessage.objects.count() == 5


def test_the_page_sends_a_scheduled_message_whose_time_has_come(client, drawn):
    gathering, _ = drawn
    organiser = gathering.created_by
    now = timezone.now()
    message = message_create(
        access=access_for(organiser, gathering.community),
        gathering=gathering,
        segment="waitlisted",
        subject="s",
        body="b",
        send_at=now + timedelta(minutes=5),
        now=now,
    )
    GatheringMessage.objects.filter(pk=message.pk).update(
        send_at=now - timedelta(minutes=1)
    )
    client_sign_in(client, organiser)

    client.get(_url(gathering))

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(mail.outbox) == 3


def test_a_recipient_reads_the_message_rendered_safely(client, drawn):
    gathering, _ = drawn
    message = message_create(
        access=access_for(gathering.created_by, gathering.community),
        gathering=gathering,
        segment="waitlisted",
        subject="대기 안내",
        body="**곧** 연락드려요 <script>x()</script>",
    )
    waiting = with_status(gathering, ApplicationStatus.WAITLISTED)[0].member
    client_sign_in(client, waiting)

    response = client.get(_url(gathering, "gathering_message", message.pk))

    assert response.status_code == 200
    text = response.content.decode()
    assert "<strong>곧</strong>" in text and "<script>x()" not in text


def test_a_member_it_was_not_sent_to_cannot_read_it(client, drawn):
    gathering, _ = drawn
    message = message_create(
        access=access_for(gathering.created_by, gathering.community),
        gathering=gathering,
        segment="waitlisted",
        subject="s",
        body="b",
    )
    winner = with_status(gathering, ApplicationStatus.OFFERED)[0].member
    stranger = member_joined(gathering.community)

    for member in (winner, stranger):
        client_sign_in(client, member)
        response = client.get(_url(gathering, "gathering_message", message.pk))
        assert response.status_code == 404
    assert not MessageDelivery.objects.filter(member=winner).exists()


@pytest.mark.parametrize(("applicants", "messages"), [(3, 1), (30, 25)])
def test_the_page_queries_do_not_grow_with_applicants_or_messages(
    client, django_assert_max_num_queries, applicants, messages
):
    gathering, _ = gathering_drawn(capacity=2, applicants=applicants)
    organiser = gathering.created_by
    now = timezone.now()
    GatheringMessage.objects.bulk_create(
        [
            GatheringMessage(
                gathering=gathering,
                sender=member_joined(gathering.community) if n % 2 else organiser,
                segment="all",
                subject=f"안내 {n}",
                body="b",
                body_html="<p>b</p>",
                send_at=now + timedelta(hours=n + 1),
                status=MessageStatus.SCHEDULED if n % 3 else MessageStatus.SENT,
                recipient_count=None if n % 3 else applicants,
                sent_at=None if n % 3 else now,
            )
            for n in range(messages)
        ]
    )
    client_sign_in(client, organiser)
    # Session and member, the community's access, the gathering, the due
    # messages, the segment counts, the list (senders joined), the
    # two-factor check and the navigation's counts: 10 at either size.
    with django_assert_max_num_queries(10):
        response = client.get(_url(gathering))
    assert response.status_code == 200


def test_a_message_naming_the_link_is_unreadable_once_the_seat_is_gone(client, drawn):
    """Sent to the confirmed seats with the video link; a recipient who
    withdraws afterwards no longer reads it on the site."""
    from events.services.applications import application_withdraw
    from events.services.offers import offer_confirm

    gathering, _ = drawn
    offered = with_status(gathering, ApplicationStatus.OFFERED)
    for application in offered:
        offer_confirm(
            member=application.member,
            gathering=gathering,
            now=gathering.applications_close_at + timedelta(minutes=5),
        )
    _released(gathering)
    message = message_create(
        access=access_for(gathering.created_by, gathering.community),
        gathering=gathering,
        segment="confirmed",
        subject="링크",
        body=f"여기로 들어오세요: {MARKER_LINK}",
    )
    stays, leaves = (a.member for a in offered)
    application_withdraw(
        member=leaves,
        gathering=gathering,
        now=gathering.applications_close_at + timedelta(minutes=10),
    )
    url = _url(gathering, "gathering_message", message.pk)

    client_sign_in(client, stays)
    kept = client.get(url)
    client_sign_in(client, leaves)
    gone = client.get(url)

    assert kept.status_code == 200 and MARKER_LINK in kept.content.decode()
    assert gone.status_code == 403 and MARKER_LINK not in gone.content.decode()


def test_a_message_naming_the_link_is_unreadable_once_the_join_url_is_revoked(
    client, drawn
):
    """The message page asks the link's own rule (``join_refusal``): a
    revoked join URL takes the message naming the link with it."""
    from events.models import Application
    from events.services.attendance import join_revoke
    from events.services.offers import offer_confirm

    gathering, _ = drawn
    offered = with_status(gathering, ApplicationStatus.OFFERED)
    for application in offered:
        offer_confirm(
            member=application.member,
            gathering=gathering,
            now=gathering.applications_close_at + timedelta(minutes=5),
        )
    _released(gathering)
    message = message_create(
        access=access_for(gathering.created_by, gathering.community),
        gathering=gathering,
        segment="confirmed",
        subject="링크",
        body=f"여기로 들어오세요: {MARKER_LINK}",
    )
    cut = offered[1].member
    join_revoke(application=Application.objects.get(gathering=gathering, member=cut))
    client_sign_in(client, cut)

    response = client.get(_url(gathering, "gathering_message", message.pk))

    assert response.status_code == 403
    assert MARKER_LINK not in response.content.decode()

"""Reports, the moderation queue, moderator actions, sanctions, moderator
roles and the audit log: who may do what, what each action changes, and
that every action is recorded."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from community.access import access_for
from community.errors import CommunityError
from community.models import (
    AuditEntry,
    Comment,
    Member,
    Membership,
    MembershipRole,
    ModerationAction,
    Notification,
    NotificationKind,
    Report,
    ReportStatus,
    Sanction,
    SanctionKind,
    Thread,
    ThreadTag,
    Visibility,
)
from community.roles import JobRole
from community.selectors.communities import readable_communities
from community.services.communities import community_create, community_join
from community.services.moderation import (
    membership_role_set,
    report_create,
    sanction_impose,
)
from community.services.threads import comment_create, thread_create
from community.templatetags.notifications import notification_text
from tests.factories import member_create

ENGLISH = {"accept-language": "en"}
LONG_AGO = timezone.now() - timedelta(days=30)


def seasoned(**fields):
    """A member past the first-day posting limits."""
    return member_create(date_joined=LONG_AGO, **fields)


def join(member, community, role=MembershipRole.MEMBER):
    community_join(access=access_for(member, community))
    if role != MembershipRole.MEMBER:
        Membership.objects.filter(community=community, member=member).update(role=role)


def thread_add(community, author, title="신고된 글", body="문제가 되는 내용"):
    return Thread.objects.create(
        community=community,
        board=community.boards.first(),
        author=author,
        tag=ThreadTag.DISCUSSION,
        title=title,
        body=body,
        body_html=f"<p>{body}</p>",
    )


def comment_add(thread, author, body="문제 댓글"):
    return Comment.objects.create(
        thread=thread, author=author, body=body, body_html=f"<p>{body}</p>"
    )


class World:
    """Two communities, each with an owner, a moderator and a member; staff;
    a thread and a comment by the member of A; an open report on it."""

    def __init__(self):
        self.owner = seasoned(real_name="오너")
        self.moderator = seasoned(real_name="모더")
        self.member = seasoned(real_name="회원")
        self.reporter = seasoned(real_name="신고자")
        self.staff = seasoned(real_name="운영", is_staff=True)
        self.a = community_create(
            name="A 커뮤니티", slug="alpha", role=JobRole.BACKEND, owner=self.owner
        )
        join(self.moderator, self.a, MembershipRole.MODERATOR)
        join(self.member, self.a)
        join(self.reporter, self.a)
        self.b_owner = seasoned(real_name="B오너")
        self.b_moderator = seasoned(real_name="B모더")
        self.b = community_create(
            name="B 커뮤니티", slug="beta", role=JobRole.BACKEND, owner=self.b_owner
        )
        join(self.b_moderator, self.b, MembershipRole.MODERATOR)
        self.thread = thread_add(self.a, self.member)
        self.comment = comment_add(self.thread, self.member)
        self.report = report_create(
            access=access_for(self.reporter, self.a),
            reason="광고 도배",
            thread=self.thread,
        )
        self.b_thread = thread_add(self.b, self.b_owner, title="B의 글")

    def who(self, kind):
        return {
            "anonymous": None,
            "member": self.member,
            "other_moderator": self.b_moderator,
            "moderator": self.moderator,
            "owner": self.owner,
            "staff": self.staff,
        }[kind]


@pytest.fixture
def world(db):
    return World()


def login(client, member):
    if member is not None:
        client.force_login(member)
    return client


def act(client, community, action, **fields):
    return client.post(
        reverse("moderation_action", args=[community.slug]),
        {"action": action, **fields},
        headers=ENGLISH,
    )


# --- Permission matrix -------------------------------------------------------

VISITORS = ["anonymous", "member", "other_moderator", "moderator", "owner", "staff"]
MODERATOR_PAGES = ["moderation_queue", "audit_log", "sanctions"]
ALLOWED = {"moderator", "owner", "staff"}


@pytest.mark.parametrize("page", MODERATOR_PAGES)
@pytest.mark.parametrize("visitor", VISITORS)
def test_moderator_pages_matrix(client, world, page, visitor):
    login(client, world.who(visitor))

    response = client.get(reverse(page, args=[world.a.slug]))

    if visitor == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    elif visitor in ALLOWED:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def post_views(world):
    sanction = Sanction.objects.create(
        community=world.a,
        member=world.reporter,
        kind=SanctionKind.MUTE,
        reason="x",
        created_by=world.owner,
    )
    return {
        "moderation_action": (
            reverse("moderation_action", args=[world.a.slug]),
            {"action": "lock", "thread": world.thread.pk},
        ),
        "sanction_lift": (
            reverse("sanction_lift", args=[world.a.slug, sanction.pk]),
            {},
        ),
        "sanctions": (
            reverse("sanctions", args=[world.a.slug]),
            {"member": world.reporter.public_id, "kind": "mute", "reason": "x"},
        ),
    }


@pytest.mark.parametrize("view", ["moderation_action", "sanction_lift", "sanctions"])
@pytest.mark.parametrize("visitor", VISITORS)
def test_moderator_actions_matrix(client, world, view, visitor):
    url, data = post_views(world)[view]
    login(client, world.who(visitor))
    audit_before = AuditEntry.objects.count()

    response = client.post(url, data)

    if visitor == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    elif visitor in ALLOWED:
        assert response.status_code == 302
        assert AuditEntry.objects.count() == audit_before + 1
        assert AuditEntry.objects.latest("pk").moderator == world.who(visitor)
    else:
        assert response.status_code == 403
        assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(
    ("visitor", "status"),
    [
        ("anonymous", 302),
        ("member", 403),
        ("other_moderator", 403),
        ("moderator", 403),
        ("owner", 302),
        ("staff", 302),
    ],
)
def test_only_owners_and_staff_appoint_moderators(client, world, visitor, status):
    login(client, world.who(visitor))

    response = client.post(
        reverse("member_role", args=[world.a.slug]),
        {"member": world.reporter.public_id, "role": "moderator"},
    )

    assert response.status_code == status
    role = Membership.objects.get(community=world.a, member=world.reporter).role
    expected = MembershipRole.MODERATOR if visitor in {"owner", "staff"} else "member"
    assert role == expected
    if visitor == "anonymous":
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    "name",
    [
        "report_create",
        "moderation_action",
        "member_role",
    ],
)
def test_post_only_views_refuse_get(client, world, name):
    client.force_login(world.owner)

    response = client.get(reverse(name, args=[world.a.slug]))

    assert response.status_code == 405


def test_lifting_is_post_only(client, world):
    sanction = sanction_impose(
        access=access_for(world.owner, world.a),
        member=world.reporter,
        kind=SanctionKind.MUTE,
        reason="x",
        ends_at=None,
    )
    client.force_login(world.owner)

    url = reverse("sanction_lift", args=[world.a.slug, sanction.pk])

    assert client.get(url).status_code == 405


def test_an_unknown_community_is_404(client, world):
    client.force_login(world.staff)

    assert client.get(reverse("moderation_queue", args=["nowhere"])).status_code == 404


# --- Other communities' ids --------------------------------------------------


@pytest.mark.parametrize("field", ["thread", "comment", "report"])
def test_a_moderator_cannot_reach_another_communitys_content(client, world, field):
    b_comment = comment_add(world.b_thread, world.b_owner)
    b_report = report_create(
        access=access_for(world.b_moderator, world.b),
        reason="x",
        thread=world.b_thread,
    )
    ids = {"thread": world.b_thread.pk, "comment": b_comment.pk, "report": b_report.pk}
    client.force_login(world.moderator)

    response = act(client, world.a, "hide", **{field: ids[field]})

    assert response.status_code == 404
    world.b_thread.refresh_from_db()
    b_comment.refresh_from_db()
    assert world.b_thread.visibility == Visibility.VISIBLE
    assert b_comment.visibility == Visibility.VISIBLE
    assert not AuditEntry.objects.exists()


def test_another_communitys_sanction_cannot_be_lifted(client, world):
    b_member = seasoned()
    join(b_member, world.b)
    sanction = sanction_impose(
        access=access_for(world.b_owner, world.b),
        member=b_member,
        kind=SanctionKind.MUTE,
        reason="x",
        ends_at=None,
    )
    client.force_login(world.moderator)

    response = client.post(reverse("sanction_lift", args=[world.a.slug, sanction.pk]))

    assert response.status_code == 404
    sanction.refresh_from_db()
    assert sanction.lifted_at is None


def test_a_member_of_another_community_cannot_be_sanctioned_here(client, world):
    b_member = seasoned()
    join(b_member, world.b)
    client.force_login(world.moderator)

    response = client.post(
        reverse("sanctions", args=[world.a.slug]),
        {"member": b_member.public_id, "kind": "ban", "reason": "x"},
        headers=ENGLISH,
    )

    assert response.status_code == 400
    assert "No member of this community has this public id." in (
        response.content.decode()
    )
    assert not Sanction.objects.filter(member=b_member).exists()


# --- Reports -----------------------------------------------------------------


def report(client, community, **fields):
    return client.post(
        reverse("report_create", args=[community.slug]), fields, headers=ENGLISH
    )


def test_a_member_reports_a_comment_and_returns_to_it(client, world):
    client.force_login(world.reporter)

    response = report(client, world.a, comment=world.comment.pk, reason="욕설")

    thread_url = reverse("thread_detail", args=[world.a.slug, world.thread.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url}#comment-{world.comment.pk}"
    created = Report.objects.get(comment=world.comment)
    assert (created.reporter, created.reason, created.community) == (
        world.reporter,
        "욕설",
        world.a,
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Thank you. The moderators will look at your report." in messages


def test_reporting_twice_says_so_and_stores_one_report(client, world):
    client.force_login(world.reporter)

    response = report(client, world.a, thread=world.thread.pk, reason="또 신고")

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "You have already reported this." in messages
    assert Report.objects.filter(thread=world.thread).count() == 1


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_report_needs_a_reason_of_at_most_500_characters(client, world, reason):
    client.force_login(world.member)

    response = report(client, world.a, comment=world.comment.pk, reason=reason)

    assert response.status_code == 302
    assert not Report.objects.filter(comment=world.comment).exists()
    assert [m.level_tag for m in response.wsgi_request._messages] == ["error"]


def test_reporting_needs_a_signed_in_member(client, world):
    response = report(client, world.a, thread=world.thread.pk, reason="x")

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_reporting_content_of_another_community_is_404(client, world):
    client.force_login(world.reporter)

    response = report(client, world.a, thread=world.b_thread.pk, reason="x")

    assert response.status_code == 404
    assert not Report.objects.filter(thread=world.b_thread).exists()


def test_a_report_without_a_target_is_404(client, world):
    client.force_login(world.reporter)

    assert report(client, world.a, reason="x").status_code == 404


def test_an_outsider_cannot_report_in_a_members_only_community(client, world):
    world.a.public_read = False
    world.a.save(update_fields=["public_read"])
    client.force_login(seasoned())

    response = report(client, world.a, thread=world.thread.pk, reason="x")

    assert response.status_code == 403


# --- Report → queue → hide ---------------------------------------------------


def test_the_queue_shows_open_reports_with_their_content(client, world):
    world.thread.visibility = Visibility.HIDDEN
    world.thread.save(update_fields=["visibility"])
    client.force_login(world.moderator)

    html = client.get(
        reverse("moderation_queue", args=[world.a.slug]), headers=ENGLISH
    ).content.decode()

    assert "광고 도배" in html
    assert "신고된 글" in html
    assert "문제가 되는 내용" in html
    assert "Hidden by a moderator" in html
    assert 'value="restore"' in html


def test_the_queue_shows_reported_content_as_plain_text(client, world):
    comment = comment_create(
        access=access_for(world.member, world.a),
        thread=world.thread,
        body="**무료** 강의는 [여기](https://spam.example)로 <b>오세요</b>",
    )
    report_create(
        access=access_for(world.reporter, world.a), reason="스팸", comment=comment
    )
    client.force_login(world.moderator)

    html = client.get(
        reverse("moderation_queue", args=[world.a.slug]), headers=ENGLISH
    ).text

    assert "무료 강의는 여기로 &lt;b&gt;오세요&lt;/b&gt;" in html
    assert "**무료**" not in html
    assert "](https://spam.example)" not in html


def test_report_then_hide_hides_the_thread_from_members_only(client, world):
    client.force_login(world.moderator)
    queue = client.get(reverse("moderation_queue", args=[world.a.slug]))
    assert "신고된 글" in queue.content.decode()

    response = act(
        client, world.a, "hide", report=world.report.pk, reason="홍보 규칙 위반"
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("moderation_queue", args=[world.a.slug])
    world.thread.refresh_from_db()
    world.report.refresh_from_db()
    assert world.thread.visibility == Visibility.HIDDEN
    assert world.report.status == ReportStatus.ACTIONED
    assert world.report.resolved_by == world.moderator
    thread_url = reverse("thread_detail", args=[world.a.slug, world.thread.pk])
    assert client.get(thread_url).status_code == 200
    client.force_login(world.reporter)
    assert client.get(thread_url).status_code == 404
    assert (
        "신고된 글"
        not in client.get(
            reverse("moderation_queue", args=[world.a.slug])
        ).content.decode()
    )


def test_hiding_tells_the_author_why_in_their_language(client, world):
    world.member.language = "en"
    world.member.save(update_fields=["language"])
    client.force_login(world.moderator)

    act(client, world.a, "hide", report=world.report.pk, reason="홍보 규칙 위반")

    notice = Notification.objects.get(recipient=world.member)
    assert notice.kind == NotificationKind.MODERATION
    assert notice.actor == world.moderator
    assert notice.thread == world.thread
    with translation.override(world.member.language):
        assert notification_text(notice) == (
            "A moderator of A 커뮤니티 hid your thread. Reason: 홍보 규칙 위반"
        )


def test_the_author_opens_the_notice_of_a_hidden_thread_and_reads_why(client, world):
    client.force_login(world.moderator)
    act(client, world.a, "lock", thread=world.thread.pk, reason="잠금 사유")
    act(client, world.a, "hide", report=world.report.pk, reason="홍보 규칙 위반")
    notice = Notification.objects.get(
        recipient=world.member, kind=NotificationKind.MODERATION
    )
    client.force_login(world.member)

    opened = client.post(
        reverse("notification_read", args=[notice.pk]), headers=ENGLISH
    )
    response = client.get(opened["Location"], headers=ENGLISH)

    assert response.status_code == 200
    html = response.text
    assert "This thread was hidden by a moderator." in html
    assert "Reason: 홍보 규칙 위반" in html
    assert "잠금 사유" not in html
    # Read-only: no comment form, no reaction or bookmark buttons.
    assert reverse("comment_create", args=[world.a.slug, world.thread.pk]) not in html
    assert (
        reverse("thread_react", args=[world.a.slug, world.thread.pk, "empathy"])
        not in html
    )
    assert reverse("thread_bookmark", args=[world.a.slug, world.thread.pk]) not in html


def test_the_author_of_a_hidden_thread_can_neither_comment_nor_react(client, world):
    Thread.objects.filter(pk=world.thread.pk).update(visibility=Visibility.HIDDEN)
    client.force_login(world.member)
    args = [world.a.slug, world.thread.pk]

    comment = client.post(reverse("comment_create", args=args), {"body": "왜요?"})
    react = client.post(reverse("thread_react", args=[*args, "empathy"]))
    edit = client.get(reverse("thread_edit", args=args))

    assert (comment.status_code, react.status_code, edit.status_code) == (
        404,
        404,
        404,
    )
    world.thread.refresh_from_db()
    assert world.thread.comment_count == 0
    assert world.thread.empathy_count == 0


@pytest.mark.parametrize("visitor", ["reporter", "b_moderator", None])
def test_a_hidden_thread_stays_404_for_everyone_else(client, world, visitor):
    Thread.objects.filter(pk=world.thread.pk).update(visibility=Visibility.HIDDEN)
    login(client, getattr(world, visitor) if visitor else None)

    url = reverse("thread_detail", args=[world.a.slug, world.thread.pk])

    assert client.get(url).status_code == 404


def test_a_thread_deleted_by_its_author_stays_404_for_the_author(client, world):
    Thread.objects.filter(pk=world.thread.pk).update(visibility=Visibility.DELETED)
    client.force_login(world.member)

    url = reverse("thread_detail", args=[world.a.slug, world.thread.pk])

    assert client.get(url).status_code == 404
    client.force_login(world.moderator)
    assert client.get(url).status_code == 200


def test_a_moderator_sees_the_hidden_banner_but_no_reactions(client, world):
    client.force_login(world.moderator)
    act(client, world.a, "hide", report=world.report.pk, reason="홍보 규칙 위반")

    html = client.get(
        reverse("thread_detail", args=[world.a.slug, world.thread.pk]),
        headers=ENGLISH,
    ).text
    react = client.post(
        reverse("thread_react", args=[world.a.slug, world.thread.pk, "empathy"])
    )

    assert "Only its author and the moderators can see it." in html
    assert "Reason: 홍보 규칙 위반" in html
    assert react.status_code == 400
    world.thread.refresh_from_db()
    assert world.thread.empathy_count == 0


def test_hiding_a_comment_keeps_the_thread(client, world):
    client.force_login(world.moderator)

    act(client, world.a, "hide", comment=world.comment.pk, reason="욕설")

    world.comment.refresh_from_db()
    world.thread.refresh_from_db()
    assert world.comment.visibility == Visibility.HIDDEN
    assert world.thread.visibility == Visibility.VISIBLE


def test_a_safe_next_url_is_followed_after_an_action(client, world):
    client.force_login(world.moderator)
    thread_url = reverse("thread_detail", args=[world.a.slug, world.thread.pk])

    back = act(client, world.a, "lock", thread=world.thread.pk, next=thread_url)
    away = act(
        client, world.a, "unlock", thread=world.thread.pk, next="https://evil.example/"
    )

    assert back["Location"] == thread_url
    assert away["Location"] == reverse("moderation_queue", args=[world.a.slug])


def test_an_unknown_action_changes_nothing(client, world):
    client.force_login(world.moderator)

    response = act(client, world.a, "delete", thread=world.thread.pk)

    assert response.status_code == 302
    assert not AuditEntry.objects.exists()


def test_dismissing_needs_a_report(client, world):
    client.force_login(world.moderator)

    act(client, world.a, "dismiss", thread=world.thread.pk)

    world.report.refresh_from_db()
    assert world.report.status == ReportStatus.OPEN
    assert not AuditEntry.objects.exists()


# --- Every action is audited -------------------------------------------------


@pytest.mark.parametrize(
    ("action", "fields", "check"),
    [
        ("hide", {"thread": True}, lambda t, c, r: t.visibility == "hidden"),
        ("hide", {"comment": True}, lambda t, c, r: c.visibility == "hidden"),
        ("lock", {"thread": True}, lambda t, c, r: t.is_locked),
        ("pin", {"report": True}, lambda t, c, r: t.is_pinned),
        ("dismiss", {"report": True}, lambda t, c, r: r.status == "dismissed"),
    ],
)
def test_each_action_does_its_job_and_is_audited(client, world, action, fields, check):
    ids = {
        "thread": world.thread.pk,
        "comment": world.comment.pk,
        "report": world.report.pk,
    }
    client.force_login(world.moderator)

    act(client, world.a, action, reason="사유", **{k: ids[k] for k in fields})

    for item in (world.thread, world.comment, world.report):
        item.refresh_from_db()
    assert check(world.thread, world.comment, world.report)
    entry = AuditEntry.objects.get()
    assert (entry.community, entry.moderator, entry.action) == (
        world.a,
        world.moderator,
        action,
    )


def test_restore_unlock_and_unpin_undo_and_are_audited(client, world):
    # The notice is written in the recipient's language.
    Member.objects.filter(pk=world.member.pk).update(language="en")
    client.force_login(world.moderator)
    for action in ("hide", "lock", "pin", "restore", "unlock", "unpin"):
        act(client, world.a, action, thread=world.thread.pk, reason=action)

    world.thread.refresh_from_db()
    assert world.thread.visibility == Visibility.VISIBLE
    assert not world.thread.is_locked
    assert not world.thread.is_pinned
    actions = list(
        AuditEntry.objects.order_by("pk").values_list("action", "moderator", "reason")
    )
    assert actions == [
        (a, world.moderator.pk, a)
        for a in ("hide", "lock", "pin", "restore", "unlock", "unpin")
    ]
    restored = Notification.objects.filter(recipient=world.member).first()
    with translation.override("en"):
        assert "restored your thread" in notification_text(restored)


def test_the_audit_log_lists_actions_with_their_moderator(client, world):
    client.force_login(world.moderator)
    act(client, world.a, "hide", report=world.report.pk, reason="홍보 규칙 위반")
    client.force_login(world.owner)
    act(client, world.a, "lock", thread=world.thread.pk, reason="과열")

    html = client.get(
        reverse("audit_log", args=[world.a.slug]), headers=ENGLISH
    ).content.decode()

    assert "Hid content" in html
    assert "Locked a thread" in html
    assert "모더" in html
    assert "오너" in html
    assert "홍보 규칙 위반" in html
    assert html.index("Locked a thread") < html.index("Hid content")


def test_the_audit_log_shows_a_role_change_as_the_roles_label(client, world):
    client.force_login(world.owner)
    client.post(
        reverse("member_role", args=[world.a.slug]),
        {"member": world.member.public_id, "role": "moderator"},
    )
    url = reverse("audit_log", args=[world.a.slug])

    english = client.get(url, headers=ENGLISH).text
    korean = client.get(url, headers={"accept-language": "ko"}).text

    assert "<td>Moderator</td>" in english
    assert "<td>moderator</td>" not in english
    assert "<td>운영자</td>" in korean


def test_the_audit_log_shows_a_hidden_comment_as_plain_text(client, world):
    comment = comment_add(world.thread, world.member, body="**굵은** 광고")
    comment.body_html = "<p><strong>굵은</strong> 광고 &amp; 링크</p>"
    comment.save(update_fields=["body_html"])
    client.force_login(world.moderator)
    act(client, world.a, "hide", comment=comment.pk, reason="광고")

    html = client.get(reverse("audit_log", args=[world.a.slug]), headers=ENGLISH).text

    assert "Comment: 굵은 광고 &amp; 링크" in html
    assert "**" not in html


def test_the_audit_log_of_another_community_is_separate(client, world):
    client.force_login(world.b_moderator)
    act(client, world.b, "lock", thread=world.b_thread.pk, reason="B에서")
    client.force_login(world.moderator)

    html = client.get(reverse("audit_log", args=[world.a.slug])).content.decode()

    assert "B에서" not in html


# --- Sanctions ---------------------------------------------------------------


def sanction_post(client, community, **fields):
    return client.post(
        reverse("sanctions", args=[community.slug]), fields, headers=ENGLISH
    )


def test_the_end_date_is_read_as_korean_time_and_stored_utc(client, world):
    client.force_login(world.moderator)

    response = sanction_post(
        client,
        world.a,
        member=world.member.public_id,
        kind="mute",
        reason="도배",
        ends_at="2030-01-01T09:00",
    )

    assert response.status_code == 302
    sanction = Sanction.objects.get(member=world.member)
    assert sanction.ends_at == datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
    assert sanction.created_by == world.moderator


def test_a_past_end_date_is_refused_and_nothing_is_stored(client, world):
    client.force_login(world.moderator)

    response = sanction_post(
        client,
        world.a,
        member=world.member.public_id,
        kind="ban",
        reason="도배",
        ends_at="2020-01-01T09:00",
    )

    assert response.status_code == 400
    assert "The end date must be in the future." in response.content.decode()
    assert not Sanction.objects.exists()
    assert Membership.objects.filter(community=world.a, member=world.member).exists()


def test_a_sanction_needs_a_reason(client, world):
    client.force_login(world.moderator)

    response = sanction_post(
        client, world.a, member=world.member.public_id, kind="ban", reason=""
    )

    assert response.status_code == 400
    assert not Sanction.objects.exists()


def test_moderators_cannot_be_sanctioned(client, world):
    client.force_login(world.moderator)

    response = sanction_post(
        client, world.a, member=world.owner.public_id, kind="ban", reason="x"
    )

    assert response.status_code == 400
    assert "Moderators cannot be banned or muted here." in response.content.decode()
    assert not Sanction.objects.exists()


def test_a_ban_removes_membership_and_blocks_reading_and_posting(client, world):
    world.a.public_read = False
    world.a.save(update_fields=["public_read"])
    client.force_login(world.moderator)

    sanction_post(
        client, world.a, member=world.member.public_id, kind="ban", reason="스팸"
    )

    assert not Membership.objects.filter(community=world.a, member=world.member)
    access = access_for(world.member, world.a)
    assert not access.can_read
    assert access.post_refusal == "banned"
    assert world.a not in readable_communities(world.member)
    assert not access.can_join
    with pytest.raises(CommunityError) as refused:
        community_join(access=access)
    assert refused.value.code == "banned"
    client.force_login(world.member)
    thread_url = reverse("thread_detail", args=[world.a.slug, world.thread.pk])
    assert client.get(thread_url).status_code == 403
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.moderator, entry.target_member) == (
        ModerationAction.BAN,
        world.moderator,
        world.member,
    )
    notice = Notification.objects.get(recipient=world.member)
    assert "A 커뮤니티" in notification_text(notice)
    assert "스팸" in notification_text(notice)


def test_a_mute_blocks_posting_until_its_end(client, world):
    client.force_login(world.moderator)
    ends_at = timezone.localtime(timezone.now() + timedelta(days=1))
    sanction_post(
        client,
        world.a,
        member=world.member.public_id,
        kind="mute",
        reason="과열",
        ends_at=ends_at.strftime("%Y-%m-%dT%H:%M"),
    )

    muted = access_for(world.member, world.a)
    assert muted.can_read
    assert muted.post_refusal == "muted"
    with pytest.raises(CommunityError) as refused:
        comment_create(access=muted, thread=world.thread, body="반박합니다")
    assert refused.value.code == "muted"

    Sanction.objects.update(ends_at=timezone.now() - timedelta(seconds=1))
    free = access_for(world.member, world.a)
    assert free.can_post
    comment_create(access=free, thread=world.thread, body="이제 됩니다")


def test_lifting_restores_posting_and_joining(client, world):
    owner = access_for(world.owner, world.a)
    ban = sanction_impose(
        access=owner, member=world.member, kind="ban", reason="스팸", ends_at=None
    )
    client.force_login(world.moderator)
    page = client.get(reverse("sanctions", args=[world.a.slug]), headers=ENGLISH)
    assert world.member.public_id in page.content.decode()

    response = client.post(reverse("sanction_lift", args=[world.a.slug, ban.pk]))

    assert response.status_code == 302
    ban.refresh_from_db()
    assert ban.lifted_at is not None
    access = access_for(world.member, world.a)
    assert access.banned is None
    community_join(access=access)
    thread_create(
        access=access_for(world.member, world.a),
        board=world.a.boards.first(),
        tag=ThreadTag.DISCUSSION,
        title="돌아왔어요",
        body="다시 잘 부탁드려요",
    )
    lift = AuditEntry.objects.filter(action=ModerationAction.LIFT).get()
    assert (lift.moderator, lift.target_member) == (world.moderator, world.member)
    page = client.get(reverse("sanctions", args=[world.a.slug]), headers=ENGLISH)
    assert "Nobody is banned or muted." in page.content.decode()


# --- Roles -------------------------------------------------------------------


def test_an_owner_appoints_and_removes_a_moderator(client, world):
    client.force_login(world.owner)
    url = reverse("member_role", args=[world.a.slug])

    client.post(url, {"member": world.member.public_id, "role": "moderator"})
    assert access_for(world.member, world.a).is_moderator
    client.post(url, {"member": world.member.public_id, "role": "member"})

    assert not access_for(world.member, world.a).is_moderator
    roles = AuditEntry.objects.filter(action=ModerationAction.ROLE)
    assert [e.moderator for e in roles] == [world.owner, world.owner]
    notices = Notification.objects.filter(recipient=world.member).order_by("pk")
    assert len(notices) == 2


def test_a_role_for_a_non_member_is_refused(client, world):
    client.force_login(world.owner)

    response = client.post(
        reverse("member_role", args=[world.a.slug]),
        {"member": world.b_moderator.public_id, "role": "moderator"},
        headers=ENGLISH,
    )

    assert response.status_code == 302
    assert not AuditEntry.objects.exists()


def test_an_owner_cannot_be_demoted_by_another_owner_via_the_form(client, world):
    second_owner = seasoned()
    join(second_owner, world.a, MembershipRole.OWNER)
    client.force_login(second_owner)

    client.post(
        reverse("member_role", args=[world.a.slug]),
        {"member": world.owner.public_id, "role": "member"},
    )

    assert access_for(world.owner, world.a).is_owner


def test_changing_an_owners_role_says_why_it_is_refused(client, world):
    second_owner = seasoned()
    join(second_owner, world.a, MembershipRole.OWNER)
    client.force_login(second_owner)

    response = client.post(
        reverse("member_role", args=[world.a.slug]),
        {"member": world.owner.public_id, "role": "member"},
        headers=ENGLISH,
        follow=True,
    )

    assert "An owner&#x27;s role cannot be changed." in response.text
    assert "Join this community" not in response.text
    assert not AuditEntry.objects.filter(action=ModerationAction.ROLE).exists()
    with pytest.raises(CommunityError) as refused:
        membership_role_set(
            access=access_for(second_owner, world.a), member=world.owner, role="member"
        )
    assert refused.value.code == "owner_role_fixed"


def test_the_moderator_list_offers_no_removal_for_owners(client, world):
    second_owner = seasoned(real_name="둘째오너")
    join(second_owner, world.a, MembershipRole.OWNER)
    client.force_login(world.owner)

    html = client.get(reverse("sanctions", args=[world.a.slug]), headers=ENGLISH).text

    assert f'value="{world.moderator.public_id}"' in html
    assert "Remove 모더 as moderator" in html
    assert f'name="member" value="{second_owner.public_id}"' not in html
    assert "Remove 둘째오너 as moderator" not in html


# --- Query counts ------------------------------------------------------------


def reports_add(world, count):
    threads = Thread.objects.bulk_create(
        Thread(
            community=world.a,
            board=world.a.boards.first(),
            author=world.member,
            tag=ThreadTag.DISCUSSION,
            title=f"글 {n}",
            body="내용",
            body_html="<p>내용</p>",
        )
        for n in range(count)
    )
    comments = Comment.objects.bulk_create(
        Comment(thread=t, author=world.member, body="댓글", body_html="<p>댓글</p>")
        for t in threads
    )
    Report.objects.bulk_create(
        [
            *(
                Report(community=world.a, reporter=world.reporter, thread=t, reason="x")
                for t in threads[: count // 2]
            ),
            *(
                Report(
                    community=world.a, reporter=world.reporter, comment=c, reason="y"
                )
                for c in comments[count // 2 :]
            ),
        ]
    )


def test_the_queue_query_count_does_not_grow(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.moderator)
    reports_add(world, 2)  # with the world's own report: 3
    url = reverse("moderation_queue", args=[world.a.slug])
    # 8, and one for the two-factor notice (does the moderator have one).
    with django_assert_max_num_queries(9) as small:
        assert client.get(url).status_code == 200

    reports_add(world, 97)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, headers=ENGLISH)
    assert "100 open reports" in response.content.decode()


def test_the_audit_log_query_count_does_not_grow(
    client, world, django_assert_max_num_queries
):
    moderator = access_for(world.moderator, world.a)

    def entries_add(count):
        AuditEntry.objects.bulk_create(
            AuditEntry(
                community=world.a,
                moderator=world.moderator,
                action=ModerationAction.HIDE,
                target_member=world.member,
                thread=world.thread if n % 2 else None,
                comment=None if n % 2 else world.comment,
                reason="r",
            )
            for n in range(count)
        )

    assert moderator.is_moderator
    client.force_login(world.moderator)
    url = reverse("audit_log", args=[world.a.slug])
    entries_add(5)
    with django_assert_max_num_queries(8) as small:
        assert client.get(url).status_code == 200

    entries_add(195)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_sanctions_page_query_count_does_not_grow(
    client, world, django_assert_max_num_queries
):
    def mutes_add(count):
        members = [seasoned() for _ in range(count)]
        Sanction.objects.bulk_create(
            Sanction(
                community=world.a,
                member=m,
                kind=SanctionKind.MUTE,
                reason="x",
                created_by=world.owner,
            )
            for m in members
        )

    client.force_login(world.owner)
    url = reverse("sanctions", args=[world.a.slug])
    mutes_add(3)
    with django_assert_max_num_queries(8) as small:
        assert client.get(url).status_code == 200

    mutes_add(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200

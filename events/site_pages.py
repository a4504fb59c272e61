"""Every page of the site, on the demo data (``manage.py seed_demo``), as
each kind of visitor sees it: the one list that the accessibility test
(tests/browser/test_accessibility.py) checks and the screenshot gallery
(``manage.py gallery``) shoots, so that both cover the same pages.

A page is named for its file in the gallery, opened at a path, by a kind of
visitor: ``visitor`` (signed out), ``member`` (a plain member of 퍼포먼스 마케팅
who applied to its open gathering) or ``organiser`` (the demo account, its
moderator, who organises its gatherings and attended others). The admin is
left out: it is Django's own, for staff.
"""

from dataclasses import dataclass

from django.urls import reverse

from community.demo import DEMO_DOMAIN
from community.models import Member, Membership, MembershipRole, Thread, Visibility
from community.preferences import unsubscribe_token
from events import demo
from events.models import Experience, Gathering, GatheringMessage

KINDS = ("visitor", "member", "organiser")
COMMUNITY = "performance-marketing"


@dataclass(frozen=True)
class SitePage:
    name: str  # a file name: letters, digits and dashes
    path: str
    kind: str  # one of KINDS


def member_email() -> str:
    """The plain member: the first of the community's plain demo members who
    applied to its open gathering (so that their gathering pages have
    something to show)."""
    member = (
        Member.objects.filter(
            memberships__community__slug=COMMUNITY,
            memberships__role=MembershipRole.MEMBER,
            applications__gathering__title=demo.OPEN_TITLE,
            email__endswith=f"@{DEMO_DOMAIN}",
        )
        .exclude(email=demo.DEMO_ACCOUNT)
        .order_by("email")
        .first()
    )
    if member is None:
        raise LookupError("No demo data: run `manage.py seed_demo` first.")
    return member.email


def accounts() -> dict[str, str | None]:
    """The sign-in address of each kind (None: signed out); all share the
    demo password (community.demo.DEMO_PASSWORD)."""
    return {"visitor": None, "member": member_email(), "organiser": demo.DEMO_ACCOUNT}


def message_path(gathering: Gathering) -> str:
    """The page of the host's demo message to everyone who applied to
    ``gathering`` (events.demo), where their notification leads."""
    message = GatheringMessage.objects.filter(gathering=gathering).first()
    if message is None:
        raise LookupError("No demo data: run `manage.py seed_demo` first.")
    return reverse(
        "gathering_message",
        args=[gathering.community.slug, gathering.pk, message.pk],
    )


def site_pages() -> list[SitePage]:
    """The pages, in the order a reviewer reads them."""
    gatherings = {
        g.title: g
        for g in Gathering.objects.filter(
            title__in=[
                demo.OPEN_TITLE,
                demo.DRAWN_TITLE,
                demo.LIVE_TITLE,
                demo.ENDED_TITLE,
                demo.RATED_TITLE,
                demo.SURVEY_OPEN_TITLE,
                demo.FOLLOWUP_TITLE,
                demo.FIRST_COME_TITLE,
                demo.CANCELLED_TITLE,
            ]
        ).select_related("community")
    }
    if len(gatherings) < 9:
        raise LookupError("No demo data: run `manage.py seed_demo` first.")
    thread = (
        Thread.objects.filter(community__slug=COMMUNITY, visibility=Visibility.VISIBLE)
        .order_by("-comment_count", "pk")
        .select_related("board")
        .first()
    )
    organiser = Member.objects.get(email=demo.DEMO_ACCOUNT)
    first_experience = Experience.objects.filter(member=organiser).order_by("pk")[0]
    someone = (
        Membership.objects.filter(community__slug=COMMUNITY, role=MembershipRole.MEMBER)
        .exclude(member=organiser)
        .select_related("member")
        .order_by("pk")
        .first()
        .member
    )

    def g(title: str, name: str = "gathering_detail") -> str:
        gathering = gatherings[title]
        return reverse(name, args=[gathering.community.slug, gathering.pk])

    c = [COMMUNITY]
    pages = [
        # Signed out.
        SitePage("home", reverse("home"), "visitor"),
        SitePage("sign-in", reverse("account_login"), "visitor"),
        SitePage("sign-up", reverse("account_signup"), "visitor"),
        SitePage("password-reset", reverse("account_reset_password"), "visitor"),
        SitePage("terms", reverse("legal_terms"), "visitor"),
        SitePage("privacy", reverse("legal_privacy"), "visitor"),
        SitePage("community", reverse("community_detail", args=c), "visitor"),
        SitePage(
            "board",
            reverse("board_detail", args=[COMMUNITY, thread.board.slug]),
            "visitor",
        ),
        SitePage(
            "thread", reverse("thread_detail", args=[COMMUNITY, thread.pk]), "visitor"
        ),
        SitePage("search", reverse("search") + "?q=%EA%B4%91%EA%B3%A0", "visitor"),
        SitePage(
            "community-search",
            reverse("community_search", args=c) + "?q=ROAS",
            "visitor",
        ),
        SitePage("gathering-open", g(demo.OPEN_TITLE), "visitor"),
        SitePage("gathering-drawn", g(demo.DRAWN_TITLE), "visitor"),
        SitePage("gathering-live", g(demo.LIVE_TITLE), "visitor"),
        SitePage("gathering-ended", g(demo.ENDED_TITLE), "visitor"),
        SitePage("gathering-first-come", g(demo.FIRST_COME_TITLE), "visitor"),
        SitePage("gathering-cancelled", g(demo.CANCELLED_TITLE), "visitor"),
        SitePage(
            "member-profile",
            reverse("member_detail", args=[someone.public_id]),
            "visitor",
        ),
        SitePage(
            "member-path", reverse("member_path", args=[organiser.public_id]), "visitor"
        ),
        SitePage("credential-verify", reverse("credential_verify"), "visitor"),
        SitePage("not-found", "/no-such-page/", "visitor"),
        # The page a digest's "stop" link opens (a GET only asks).
        SitePage(
            "unsubscribe",
            reverse("unsubscribe", args=[unsubscribe_token(someone, "digest")]),
            "visitor",
        ),
        # A plain member.
        SitePage("home", reverse("home"), "member"),
        SitePage("community", reverse("community_detail", args=c), "member"),
        SitePage(
            "thread", reverse("thread_detail", args=[COMMUNITY, thread.pk]), "member"
        ),
        SitePage(
            "thread-new",
            reverse("thread_create", args=[COMMUNITY, thread.board.slug]),
            "member",
        ),
        SitePage("gathering-open", g(demo.OPEN_TITLE), "member"),
        SitePage("gathering-drawn", g(demo.DRAWN_TITLE), "member"),
        SitePage("my-gatherings", reverse("my_gatherings"), "member"),
        SitePage("message", message_path(gatherings[demo.OPEN_TITLE]), "member"),
        SitePage("notifications", reverse("notification_list"), "member"),
        SitePage("bookmarks", reverse("bookmark_list"), "member"),
        SitePage("profile-edit", reverse("profile_edit"), "member"),
        SitePage("picture", reverse("avatar_edit"), "member"),
        SitePage("work-email", reverse("work_email"), "member"),
        SitePage("calendar-feed", reverse("calendar_feed"), "member"),
        SitePage("consents", reverse("consent_settings"), "member"),
        SitePage("notification-settings", reverse("notification_settings"), "member"),
        SitePage("your-data", reverse("data_export"), "member"),
        SitePage("leave", reverse("member_leave"), "member"),
        SitePage("sign-in-emails", reverse("account_email"), "member"),
        SitePage("password-change", reverse("account_change_password"), "member"),
        SitePage("two-factor", reverse("mfa_index"), "member"),
        SitePage("devices", reverse("usersessions_list"), "member"),
        SitePage("connected-accounts", reverse("socialaccount_connections"), "member"),
        # The organiser (the demo account).
        SitePage("home", reverse("home"), "organiser"),
        SitePage("my-gatherings", reverse("my_gatherings"), "organiser"),
        SitePage("gathering-live", g(demo.LIVE_TITLE), "organiser"),
        SitePage(
            "survey-answer", g(demo.SURVEY_OPEN_TITLE, "survey_answer"), "organiser"
        ),
        SitePage("takeaway", g(demo.SURVEY_OPEN_TITLE, "takeaway_edit"), "organiser"),
        # The demo account's follow-up (a plain member of that community),
        # answered "partly" and still open to change.
        SitePage(
            "followup-answer", g(demo.FOLLOWUP_TITLE, "followup_answer"), "organiser"
        ),
        SitePage(
            "gathering-manage", g(demo.DRAWN_TITLE, "gathering_manage"), "organiser"
        ),
        # Before the draw: the columns a draw fills are left out.
        SitePage(
            "gathering-manage-open",
            g(demo.OPEN_TITLE, "gathering_manage"),
            "organiser",
        ),
        SitePage("gathering-edit", g(demo.OPEN_TITLE, "gathering_edit"), "organiser"),
        SitePage("gathering-new", reverse("gathering_create", args=c), "organiser"),
        SitePage(
            "gathering-preview", g(demo.OPEN_TITLE, "gathering_preview"), "organiser"
        ),
        # The demo has no draft: the confirmation of a published gathering
        # says so and offers its share page.
        SitePage(
            "gathering-publish", g(demo.OPEN_TITLE, "gathering_publish"), "organiser"
        ),
        SitePage("gathering-share", g(demo.OPEN_TITLE, "gathering_share"), "organiser"),
        SitePage("gathering-cover", g(demo.OPEN_TITLE, "gathering_cover"), "organiser"),
        SitePage(
            "gathering-cancel", g(demo.OPEN_TITLE, "gathering_cancel"), "organiser"
        ),
        SitePage(
            "gathering-repeat", g(demo.OPEN_TITLE, "gathering_repeat"), "organiser"
        ),
        SitePage(
            "gathering-series", g(demo.OPEN_TITLE, "gathering_series"), "organiser"
        ),
        SitePage("check-in", g(demo.LIVE_TITLE, "gathering_checkin"), "organiser"),
        SitePage(
            "check-in-door",
            g(demo.FIRST_COME_TITLE, "gathering_checkin"),
            "organiser",
        ),
        SitePage(
            "check-in-venue",
            g(demo.FIRST_COME_TITLE, "gathering_checkin_venue"),
            "organiser",
        ),
        SitePage(
            "gathering-messages", g(demo.DRAWN_TITLE, "gathering_messages"), "organiser"
        ),
        SitePage("survey-edit", g(demo.RATED_TITLE, "survey_edit"), "organiser"),
        SitePage("survey-results", g(demo.RATED_TITLE, "survey_results"), "organiser"),
        SitePage("analytics", reverse("community_analytics", args=c), "organiser"),
        SitePage(
            "gathering-analytics",
            g(demo.ENDED_TITLE, "gathering_analytics"),
            "organiser",
        ),
        SitePage("moderation", reverse("moderation_queue", args=c), "organiser"),
        SitePage("audit-log", reverse("audit_log", args=c), "organiser"),
        SitePage("sanctions", reverse("sanctions", args=c), "organiser"),
        SitePage(
            "my-path", reverse("member_path", args=[organiser.public_id]), "organiser"
        ),
        SitePage("experience-new", reverse("experience_create"), "organiser"),
        SitePage(
            "experience-edit",
            reverse("experience_edit", args=[first_experience.pk]),
            "organiser",
        ),
        # The demo account attended this one (checked in); it hosts none
        # that has ended, so "hosted" would be a 404.
        SitePage(
            "credential-issue",
            reverse(
                "credential_issue",
                args=["attended", gatherings[demo.SURVEY_OPEN_TITLE].pk],
            ),
            "organiser",
        ),
    ]
    return pages

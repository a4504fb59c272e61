"""The access matrix (SECURITY.md, "Authorisation"): every URL pattern and
websocket route of the project against every kind of visitor, with the
outcome each must get. tests/test_access_matrix.py fails when a pattern has
no row here, and tries every row.

The world is one members-only community with a visitor of each kind and
objects that belong to someone else: another member's thread, comment,
notification, feed token and join URL, a draft gathering the organiser does
not host, and another gathering's draw and survey. The planted secrets are
tests.events.factories.MARKER_LINK (the main gathering's video link) and
SURVEY_MARKER (one survey answer).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.db import connection
from django.db.models import F
from django.test import Client
from django.utils import timezone

from community import legal
from community.access import access_for
from community.models import (
    Comment,
    Community,
    Member,
    Membership,
    MembershipRole,
    Notification,
    NotificationKind,
    Sanction,
    SanctionKind,
    Thread,
)
from community.preferences import unsubscribe_token
from community.services import communities as community_services
from community.services.moderation import sanction_impose
from community.services.personal_data import (
    data_export_request,
    data_export_token,
)
from events.checkin_tokens import attendee_code
from events.join_tokens import join_token
from events.models import (
    Application,
    ApplicationStatus,
    FollowUp,
    FollowUpRound,
    Gathering,
    GatheringStatus,
    JoinPass,
    Survey,
)
from events.services.applications import application_submit
from events.services.credentials import credential_issue
from events.services.experiences import experience_create
from events.services.feeds import feed_create
from events.services.messages import message_create
from events.services.offers import offer_confirm
from events.services.surveys import response_submit
from tests.community.forum_data import comment_make, thread_make
from tests.events.factories import (
    advance,
    apply_all,
    gathering_held,
    gathering_make,
    gathering_open,
    member_joined,
    survey_answers,
    with_status,
)
from tests.factories import client_sign_in, member_create, two_factor_add
from tests.passkeys import SoftPasskey

SURVEY_MARKER = "SURVEY-MARKER-7Q2"
OTHER_LINK = "https://meet.example/another-gathering"
# The titles of two experiences on "member"'s path: one private, one for
# community members (tests/test_access_matrix.py checks who reads them).
PRIVATE_EXPERIENCE_MARKER = "EXPERIENCE-PRIVATE-3K9"
SHARED_EXPERIENCE_MARKER = "EXPERIENCE-SHARED-7T4"

# --- Outcomes ---------------------------------------------------------------------

ALLOWED = "allowed"  # 2xx, or a redirect anywhere but a login page
LOGIN = "login"  # a redirect to the sign-in page (the site's or the admin's)
BAD_REQUEST = "400"  # let in, and the (empty) input was refused
# A sign-in through a provider that failed (no state of this browser's, or
# the provider refused): allauth's error page answers 401.
UNAUTHORISED = "401"
FORBIDDEN = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"  # this method is not accepted here

# --- Kinds of visitor -------------------------------------------------------------

KINDS = (
    "anonymous",
    "unverified",  # signed in, email never confirmed, of no community
    "outsider",  # verified, not a member of the community
    "member",
    "banned",  # banned from the community (which ended the membership)
    "applicant",  # a pending application to the open gathering
    "waitlisted",  # on the main gathering's waitlist
    "attendee",  # a confirmed seat at the main gathering
    "organiser",  # a plain member who hosts the main and open gatherings
    "moderator",  # the community's moderator, who hosts no gathering
    "staff",  # site staff (moderates everywhere), of no community
    # Sanctioned kinds (SECURITY.md, "Sanctions"): what a sanction takes away
    # wherever the power lives.
    "banned_host",  # hosted the main, open and held gatherings, then banned
    "muted_host",  # hosts the main and open gatherings, muted
    "banned_attendee",  # had a confirmed seat at the main gathering, banned
    "muted_author",  # wrote a thread and a comment, then was muted
    "left",  # wrote a thread and a comment, then left the community
)
SIGNED_IN = KINDS[1:]
READERS = (
    "member",
    "applicant",
    "waitlisted",
    "attendee",
    "organiser",
    "moderator",
    "staff",
    "muted_host",
    "muted_author",
)
# The muted kinds read but may not write: no post, comment or reaction.
MUTED = ("muted_host", "muted_author")
# A kind a row does not name gets the outcome of the kind it stands with: a
# ban leaves a host or an attendee with no more than any banned member, and
# a member who left is an outsider.
LIKE = {"banned_host": "banned", "banned_attendee": "banned", "left": "outsider"}


@dataclass
class World:
    kinds: dict[str, Member | None]
    community: Community
    other_community: Community
    board: object
    thread: object  # written by "member"
    comment: object  # written by "member", on ``thread``
    main: Gathering  # drawn, link released: attendee and waitlisted
    open: Gathering  # open for applications: the applicant
    draft: Gathering  # a draft hosted by the moderator
    held: Gathering  # survey closed with >= k responses, hosted by the moderator
    notification: Notification  # the member's
    sanction: Sanction  # the banned member's
    feed_token: str  # the attendee's
    join_token: str  # the attendee's, for the main gathering
    banned_join_token: str  # the banned attendee's, for the main gathering
    muted_thread: object  # written by "muted_author"
    muted_comment: object  # written by "muted_author", on ``thread``
    left_thread: object  # written by "left"
    left_comment: object  # written by "left", on ``thread``
    extra: dict = field(default_factory=dict)

    def member(self, kind: str) -> Member | None:
        return self.kinds[kind]


def shift_to_now(gathering: Gathering, *, starts_in: timedelta) -> Gathering:
    """The factories' schedule lies a month ahead; pages read the wall clock.
    Move the whole schedule so the gathering starts in ``starts_in``."""
    delta = gathering.starts_at - (timezone.now() + starts_in)
    Gathering.objects.filter(pk=gathering.pk).update(
        **{
            name: F(name) - delta
            for name in (
                "starts_at",
                "ends_at",
                "applications_open_at",
                "applications_close_at",
                "next_due_at",
            )
        }
    )
    gathering.refresh_from_db()
    return gathering


def world_build(*, starts_in: timedelta = timedelta(hours=12)) -> World:
    """The world; the main gathering starts in ``starts_in`` (its link is
    released 24 hours before, its room opens 30 minutes before)."""
    community = community_services.community_create(
        name="접근 매트릭스",
        slug="matrix",
        role="backend-development",
        public_read=False,
    )
    other_community = community_services.community_create(
        name="다른 커뮤니티", slug="matrix-other", role="backend-development"
    )
    week_ago = timezone.now() - timedelta(days=30)
    moderator = member_create(language="en", date_joined=week_ago)
    Membership.objects.create(
        community=community, member=moderator, role=MembershipRole.MODERATOR
    )
    kinds: dict[str, Member | None] = {
        "anonymous": None,
        "unverified": member_create(language="en", verified=False),
        "outsider": member_create(language="en"),
        "member": member_joined(community, date_joined=week_ago),
        "banned": member_joined(community),
        "applicant": member_joined(community),
        "organiser": member_joined(community),
        "moderator": moderator,
        # With an authenticator app, which the admin asks of staff.
        "staff": member_create(language="en", is_staff=True),
        "banned_host": member_joined(community),
        "muted_host": member_joined(community),
        "muted_author": member_joined(community, date_joined=week_ago),
        "left": member_joined(community, date_joined=week_ago),
    }
    two_factor_add(kinds["staff"])
    hosts = [kinds["organiser"], kinds["banned_host"], kinds["muted_host"]]
    sanction_impose(
        access=access_for(moderator, community),
        member=kinds["banned"],
        kind=SanctionKind.BAN,
        reason="규칙 위반",
        ends_at=None,
    )
    sanction = Sanction.objects.get(member=kinds["banned"])

    # The main gathering: four applicants for two seats, drawn, both winners
    # confirmed (the attendee and the attendee banned below); then moved to
    # start in ``starts_in``, so the link is released.
    main = gathering_make(
        community=community, organiser=kinds["organiser"], capacity=2, hosts=hosts
    )
    main = advance(main, main.applications_open_at)
    apply_all(main, [member_joined(community) for _ in range(4)])
    main = advance(main, main.applications_close_at)
    assert main.status == GatheringStatus.DRAWN
    offered, banned_seat = with_status(main, ApplicationStatus.OFFERED)
    for application in (offered, banned_seat):
        offer_confirm(
            member=application.member,
            gathering=main,
            now=main.applications_close_at + timedelta(minutes=1),
        )
    kinds["attendee"] = offered.member
    kinds["banned_attendee"] = banned_seat.member
    main = shift_to_now(main, starts_in=starts_in)

    opened = gathering_open(
        community=community,
        organiser=kinds["organiser"],
        video_link=OTHER_LINK,
        hosts=hosts,
    )
    application_submit(
        member=kinds["applicant"],
        gathering=opened,
        now=opened.applications_open_at + timedelta(minutes=1),
    )
    # Other gatherings have links of their own: the marker on their pages
    # would be the main gathering's link leaking across.
    draft = gathering_make(
        community=community,
        organiser=moderator,
        publish=False,
        video_link=OTHER_LINK,
    )

    held, attendees = gathering_held(
        attendees=6,
        community=community,
        organiser=moderator,
        video_link=OTHER_LINK,
        hosts=[moderator, kinds["banned_host"]],
    )
    survey = Survey.objects.get(gathering=held)
    answered_at = survey.opens_at + timedelta(hours=1)
    for index, attendee in enumerate(attendees):
        text = SURVEY_MARKER if index == 0 else f"배운 점 {index}"
        response_submit(
            member=attendee,
            gathering=held,
            answers=survey_answers(4, useful=text, again="yes"),
            now=answered_at,
        )
    held = advance(held, survey.closes_at)
    # The held gathering's follow-up, asked now to the member (who answers
    # it), to the member later banned and to the one who later leaves (who
    # may not): written directly, as none attended it.
    followup_round = FollowUpRound.objects.create(
        gathering=held,
        min_answers=5,
        asked_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=30),
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(round=followup_round, member=kinds[kind])
            for kind in ("member", "banned", "left")
        ]
    )

    thread = thread_make(community, kinds["member"])
    comment = comment_make(thread, kinds["member"])
    notification = Notification.objects.create(
        recipient=kinds["member"],
        kind=NotificationKind.REPLY,
        actor=moderator,
        thread=thread,
        comment=comment,
    )
    muted_thread = thread_make(community, kinds["muted_author"])
    left_thread = thread_make(community, kinds["left"])
    posts = {
        kind: (post, comment_make(thread, kinds[kind]))
        for kind, post in (("muted_author", muted_thread), ("left", left_thread))
    }
    banned_join_token = join_token(
        JoinPass.objects.get(application__member=kinds["banned_attendee"])
    )

    # The sanctions, last, through the moderation service: the banned
    # attendee's seat passes to the first on the waitlist (while offers are
    # still made); the waitlisted kind is the member still waiting after it.
    by = access_for(moderator, community)
    for kind, sanction_kind in (
        ("banned_host", SanctionKind.BAN),
        ("banned_attendee", SanctionKind.BAN),
        ("muted_host", SanctionKind.MUTE),
        ("muted_author", SanctionKind.MUTE),
    ):
        sanction_impose(
            access=by,
            member=kinds[kind],
            kind=sanction_kind,
            reason="규칙 위반",
            ends_at=None,
        )
    community_services.community_leave(access=access_for(kinds["left"], community))
    kinds["waitlisted"] = with_status(main, ApplicationStatus.WAITLISTED)[-1].member
    # The organiser's messages to the main gathering's applicants: one sent
    # to all of them (the attendee and the waitlisted kind read it), one
    # still scheduled.
    host = access_for(kinds["organiser"], community)
    sent_message = message_create(
        access=host, gathering=main, segment="all", subject="안내", body="내일 봬요"
    )
    scheduled_message = message_create(
        access=host,
        gathering=main,
        segment="confirmed",
        subject="예약",
        body="곧 시작해요",
        send_at=timezone.now() + timedelta(days=1),
    )
    # The member's data export, built at once (immediate tasks): its link.
    export = data_export_request(member=kinds["member"])
    # A credential the moderator issued for the held gathering they hosted.
    credential = credential_issue(member=moderator, kind="hosted", object_id=held.pk)
    return World(
        kinds=kinds,
        community=community,
        other_community=other_community,
        board=thread.board,
        thread=thread,
        comment=comment,
        main=main,
        open=opened,
        draft=draft,
        held=held,
        notification=notification,
        sanction=sanction,
        feed_token=feed_create(member=kinds["attendee"]),
        join_token=join_token(
            JoinPass.objects.get(application__member=kinds["attendee"])
        ),
        banned_join_token=banned_join_token,
        muted_thread=posts["muted_author"][0],
        muted_comment=posts["muted_author"][1],
        left_thread=posts["left"][0],
        left_comment=posts["left"][1],
        extra={
            "held_attendees": attendees,
            "attendee_application": offered,
            "held_application": Application.objects.filter(gathering=held).first(),
            "export": export,
            "credential": credential,
            "message": sent_message,
            "scheduled_message": scheduled_message,
            # Not "member"'s: allauth lets no email address be added to an
            # account with two-factor, and the fuzz adds one as "member".
            "passkey": passkey_add(kinds["outsider"]),
            # On "member"'s path, private: only its owner reaches its pages.
            "experience": experience_create(
                member=kinds["member"],
                kind="job",
                title=PRIVATE_EXPERIENCE_MARKER,
                started_on=timezone.localdate().replace(day=1),
            ),
            "shared_experience": experience_create(
                member=kinds["member"],
                kind="talk",
                title=SHARED_EXPERIENCE_MARKER,
                started_on=timezone.localdate().replace(day=1),
                visibility="community",
            ),
        },
    )


def passkey_add(member: Member) -> Authenticator:
    """A passkey on ``member``'s account, as a registration would store
    it (the challenge it answered is never checked again)."""
    passkey = SoftPasskey("moim.example", "https://moim.example")
    options = {"publicKey": {"user": {"id": "bWVtYmVy"}, "challenge": "AAAA"}}
    return Authenticator.objects.create(
        user=member,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "노트북", "credential": passkey.register(options)},
    )


def fingerprint(
    labels=("community", "events", "realtime", "mfa", "usersessions"),
) -> tuple:
    """What a refused request must leave as it was: the number of rows of
    every table of the apps ``labels``, and the state of the rows a request
    could flip."""
    models = [
        model for label in labels for model in apps.get_app_config(label).get_models()
    ]
    # One query for every count: the fuzz tests take this twice per request.
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(
        f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in models
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        numbers = cursor.fetchone()
    counts = tuple(zip((model._meta.label for model in models), numbers, strict=True))
    states = (
        list(Gathering.objects.order_by("pk").values_list("status", "video_link")),
        list(Application.objects.order_by("pk").values_list("status")),
        list(JoinPass.objects.order_by("pk").values_list("revoked_at", "nonce")),
        list(Membership.objects.order_by("pk").values_list("role")),
        list(Sanction.objects.order_by("pk").values_list("lifted_at")),
        list(Thread.objects.order_by("pk").values_list("visibility", "title")),
        list(Comment.objects.order_by("pk").values_list("visibility", "body")),
        list(Notification.objects.order_by("pk").values_list("read_at")),
    )
    return counts, states


def client_for(world: World, kind: str, language: str = "en") -> Client:
    """A test client signed in as ``kind``, asking for pages in
    ``language``."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    member = world.member(kind)
    if member is not None:
        client_sign_in(client, member)
    return client


# --- Rows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """``key`` is the URL name (or the pattern, for an unnamed one) or the
    websocket route; ``args`` builds the URL's arguments from the world;
    ``expect`` maps every kind it is tried with to its outcome."""

    key: str
    expect: dict[str, str]
    args: Callable[[World], list] = lambda w: []
    method: str = "get"
    label: str = ""  # which object, when a key has several rows
    path: Callable[[World], str] | None = None  # for unnamed patterns
    data: Callable[[World], dict] = lambda w: {}  # a POST's minimal body

    @property
    def id(self) -> str:
        return f"{self.key}[{self.label}]" if self.label else self.key


def _with_likes(table: dict[str, str], named: dict[str, str]) -> dict[str, str]:
    """Each kind of ``LIKE`` not ``named`` by the row gets its model's
    outcome."""
    for kind, like in LIKE.items():
        if kind not in named:
            table[kind] = table[like]
    return table


def every(outcome: str, **overrides: str) -> dict[str, str]:
    table = {kind: overrides.get(kind, outcome) for kind in KINDS}
    return _with_likes(table, overrides)


def signed_in(outcome: str, anonymous: str = LOGIN, **overrides) -> dict:
    """Any signed-in visitor gets ``outcome``; the anonymous one ``anonymous``."""
    return every(outcome, anonymous=anonymous, **overrides)


def readers(outcome: str, refused: str = FORBIDDEN, **overrides) -> dict:
    """The community's readers get ``outcome``; everyone else ``refused``
    (members-only: visitors and non-members may not read it)."""
    table = {kind: outcome if kind in READERS else refused for kind in KINDS}
    table.update(overrides)
    return _with_likes(table, overrides)


def posters(outcome: str, refused: str = FORBIDDEN, **overrides) -> dict:
    """As ``readers``, but the muted kinds, who read, are refused: a post, a
    comment, a reaction or an edit."""
    return readers(outcome, refused, **{**dict.fromkeys(MUTED, FORBIDDEN), **overrides})


def organisers(outcome: str, refused: str = FORBIDDEN, **overrides) -> dict:
    """``organiser``, ``muted_host``, ``moderator`` and ``staff`` (hosts and
    moderators; a mute takes away writing, not hosting: a muted host reads
    the organisers' pages, ``organiser_writers`` is for what they write)."""
    table = every(refused, anonymous=LOGIN)
    for kind in ("organiser", "muted_host", "moderator", "staff"):
        table[kind] = outcome
    table.update(overrides)
    return _with_likes(table, overrides)


def organiser_writers(outcome: str, refused: str = FORBIDDEN, **overrides) -> dict:
    """As ``organisers``, but the muted host, who reads the organisers'
    pages, is refused what the gathering tells its members: its text, its
    cancellation, its survey."""
    return organisers(outcome, refused, **{"muted_host": FORBIDDEN, **overrides})


def moderators(outcome: str, refused: str = FORBIDDEN, **overrides) -> dict:
    """Moderators and staff only (not a gathering's plain-member host)."""
    overrides = {"organiser": refused, "muted_host": refused, **overrides}
    return organisers(outcome, refused, **overrides)


def slug(w: World) -> list:
    return [w.community.slug]


def g(attr: str) -> Callable[[World], list]:
    return lambda w: [w.community.slug, getattr(w, attr).pk]


def thread_args(w: World) -> list:
    return [w.community.slug, w.thread.pk]


def comment_args(w: World) -> list:
    return [w.community.slug, w.comment.pk]


def version(document: str) -> str:
    return legal.version_current(document).version


def attendee_short_code(w: World) -> str:
    return attendee_code(
        gathering_id=w.main.pk, public_id=w.extra["attendee_application"].public_id
    )


def member_id(kind: str) -> Callable[[World], list]:
    return lambda w: [w.member(kind).public_id]


ROWS: list[Row] = [
    # --- Site-wide pages ---------------------------------------------------------
    Row("home", every(ALLOWED)),
    Row("favicon.ico", every(ALLOWED), path=lambda w: "/favicon.ico"),
    # The installable app: its service worker and manifest, for everyone.
    Row("service_worker", every(ALLOWED)),
    Row("web_manifest", every(ALLOWED)),
    Row("language_set", every(ALLOWED), method="post"),
    Row("search", every(ALLOWED)),
    # --- Accounts (allauth) ------------------------------------------------------
    Row("account_login", every(ALLOWED)),
    Row("account_logout", every(ALLOWED)),
    Row("account_inactive", every(ALLOWED)),
    Row("account_signup", every(ALLOWED)),
    Row("account_reauthenticate", signed_in(ALLOWED)),
    # By a mailed code (settings.ACCOUNT_REAUTHENTICATION_METHODS); without
    # a code requested, the confirm page sends back to the request page.
    Row("account_request_reauthentication_code", signed_in(ALLOWED)),
    Row("account_confirm_reauthentication_code", signed_in(ALLOWED)),
    Row("account_email", signed_in(ALLOWED)),
    Row("account_email_verification_sent", every(ALLOWED)),
    # The "check your mail" page's resend button: the same answer to all.
    Row(
        "verification_resend",
        every(ALLOWED),
        method="post",
        data=lambda w: {"email": "nobody@example.org"},
    ),
    Row("account_change_password", signed_in(ALLOWED)),
    Row("account_set_password", signed_in(ALLOWED)),
    Row("account_reset_password", every(ALLOWED)),
    Row("account_reset_password_done", every(ALLOWED)),
    Row("account_reset_password_from_key_done", every(ALLOWED)),
    # Without a login code pending, back to the sign-in page.
    Row("account_confirm_login_code", every(ALLOWED, anonymous=LOGIN)),
    Row("account_confirm_email", every(ALLOWED), args=lambda w: ["no-such-key"]),
    Row(
        "account_reset_password_from_key",
        every(ALLOWED),
        args=lambda w: ["1", "no-such-key"],
    ),
    # --- Sign-in with Kakao, Naver and Google (allauth's socialaccount) ---------
    # Switched on in the tests (tests/conftest.py); the sign-in page of each
    # asks to press a button that goes to the provider. A callback without a
    # sign-in this browser started is refused; the sign-up form without one
    # sends back to the sign-in page.
    *(
        row
        for provider in ("kakao", "naver", "google")
        for row in (
            Row(f"{provider}_login", every(ALLOWED)),
            Row(f"{provider}_callback", every(UNAUTHORISED)),
        )
    ),
    Row("socialaccount_login_cancelled", every(ALLOWED)),
    Row("socialaccount_login_error", every(UNAUTHORISED)),
    Row("socialaccount_signup", every(LOGIN)),
    Row("socialaccount_connections", signed_in(ALLOWED)),
    # allauth's old addresses, redirecting to the ones above.
    *(
        Row(
            f"accounts/social/{old}/",
            every(ALLOWED),
            path=lambda w, o=old: f"/accounts/social/{o}/",
        )
        for old in ("login/cancelled", "login/error", "signup", "connections")
    ),
    # --- Legal documents and consents --------------------------------------------
    Row("legal_terms", every(ALLOWED)),
    Row("legal_privacy", every(ALLOWED)),
    Row("legal_terms_version", every(ALLOWED), args=lambda w: [version("terms")]),
    Row(
        "legal_terms_version",
        every(NOT_FOUND),
        args=lambda w: ["1999-01-01"],
        label="unknown",
    ),
    Row("legal_privacy_version", every(ALLOWED), args=lambda w: [version("privacy")]),
    # Nothing new to agree to: back to where the member was going.
    Row("consent_renew", signed_in(ALLOWED)),
    Row("consent_renew", signed_in(ALLOWED), method="post", label="post"),
    Row("consent_settings", signed_in(ALLOWED)),
    # An empty POST names no action: refused.
    Row(
        "consent_settings",
        signed_in(BAD_REQUEST),
        method="post",
        label="post",
    ),
    # --- Two-factor and devices (allauth.mfa, allauth.usersessions) --------------
    # Every member may add a second factor and see their devices (changing a
    # factor asks for the password again unless the member signed in just
    # now, as the world's clients did). Only staff have an authenticator app
    # in the world; "outsider" has a passkey.
    Row("mfa_index", signed_in(ALLOWED)),
    # Only in the middle of a sign-in that asks for the second factor:
    # visitors are sent back to the sign-in page, members on.
    Row("mfa_authenticate", every(ALLOWED, anonymous=LOGIN)),
    Row("mfa_reauthenticate", signed_in(ALLOWED)),
    Row("mfa_activate_totp", signed_in(ALLOWED)),
    # Nothing to turn off or show without an app: only staff have one.
    Row("mfa_deactivate_totp", signed_in(NOT_FOUND, staff=ALLOWED)),
    Row("mfa_view_recovery_codes", signed_in(NOT_FOUND, staff=ALLOWED)),
    Row("mfa_generate_recovery_codes", signed_in(ALLOWED)),
    Row("mfa_download_recovery_codes", signed_in(NOT_FOUND, staff=ALLOWED)),
    Row("mfa_list_webauthn", signed_in(ALLOWED)),
    Row("mfa_add_webauthn", signed_in(ALLOWED)),
    Row("mfa_reauthenticate_webauthn", signed_in(ALLOWED)),
    # Someone else's passkey: 404 (a member who has not confirmed it is them
    # lately is first asked to, whatever the key).
    Row(
        "mfa_remove_webauthn",
        signed_in(NOT_FOUND, outsider=ALLOWED, left=NOT_FOUND),
        args=lambda w: [w.extra["passkey"].pk],
        label="the outsider's passkey",
    ),
    Row(
        "mfa_edit_webauthn",
        signed_in(NOT_FOUND, outsider=ALLOWED, left=NOT_FOUND),
        args=lambda w: [w.extra["passkey"].pk],
        label="the outsider's passkey",
    ),
    # Signing in with a passkey is a POST from the sign-in page; a GET goes
    # back there, and anyone signed in is sent on.
    Row("mfa_login_webauthn", every(ALLOWED, anonymous=LOGIN)),
    Row("usersessions_list", signed_in(ALLOWED)),
    # The organisers' notice put away for the session: the member's own.
    Row("two_factor_prompt_dismiss", signed_in(ALLOWED), method="post"),
    # --- Members -----------------------------------------------------------------
    Row("member_detail", every(ALLOWED), args=member_id("member")),
    Row("profile_edit", signed_in(ALLOWED)),
    Row("avatar_edit", signed_in(ALLOWED)),
    Row(
        "avatar_edit",
        signed_in(BAD_REQUEST),
        method="post",
        label="no picture chosen",
    ),
    Row("work_email", signed_in(ALLOWED)),
    Row("work_email_remove", signed_in(ALLOWED), method="post"),
    Row("work_email_confirm", signed_in(BAD_REQUEST), args=lambda w: ["not-a-token"]),
    # Your data: asking again within a day is refused (the member asked).
    Row("data_export", signed_in(ALLOWED)),
    Row("data_export", signed_in(ALLOWED, member=BAD_REQUEST), method="post"),
    # The download link opens for its member only; to anyone else, and
    # altered, it is unknown.
    Row(
        "data_export_download",
        signed_in(NOT_FOUND, member=ALLOWED),
        args=lambda w: [data_export_token(w.extra["export"])],
        label="the member's",
    ),
    Row(
        "data_export_download",
        signed_in(NOT_FOUND),
        args=lambda w: [data_export_token(w.extra["export"])[:-2] + "xx"],
        label="an altered link",
    ),
    # Leaving: the page, and an unconfirmed request refused (a confirmed one
    # asks to reauthenticate first: tests/community/test_leaving.py).
    Row("member_leave", signed_in(ALLOWED)),
    Row("member_leave", signed_in(BAD_REQUEST), method="post"),
    Row("member_path", every(ALLOWED), args=member_id("attendee")),
    Row("path_visibility", signed_in(ALLOWED), method="post"),
    # Experiences on the path: a member's own, to add, change and delete;
    # another member's is not there (404), whoever asks.
    Row(
        "member_path",
        every(ALLOWED),
        args=member_id("member"),
        label="with an experience",
    ),
    Row("experience_create", signed_in(ALLOWED)),
    Row("experience_create", signed_in(BAD_REQUEST), method="post"),
    Row(
        "experience_edit",
        signed_in(NOT_FOUND, member=ALLOWED),
        args=lambda w: [w.extra["experience"].pk],
        label="the member's",
    ),
    Row(
        "experience_edit",
        signed_in(NOT_FOUND, member=BAD_REQUEST),
        args=lambda w: [w.extra["experience"].pk],
        method="post",
        label="the member's",
    ),
    Row(
        "experience_delete",
        signed_in(NOT_FOUND, member=ALLOWED),
        args=lambda w: [w.extra["experience"].pk],
        method="post",
        label="the member's",
    ),
    Row(
        "experience_delete",
        signed_in(NOT_ALLOWED),
        args=lambda w: [w.extra["experience"].pk],
        label="by GET",
    ),
    Row("path_json", signed_in(ALLOWED)),
    Row("path_ics", signed_in(ALLOWED)),
    # Credentials: the keys, the status list and the verification page are
    # public; a member issues, downloads and revokes only their own. The
    # moderator hosted the held gathering and holds a credential of it (in
    # force: the page says so, a second one is refused); the banned host
    # hosted it too, and may not issue one.
    Row("credential_keys", every(ALLOWED)),
    Row("credential_status_list", every(ALLOWED)),
    Row("credential_verify", every(ALLOWED)),
    Row("credential_verify", every(BAD_REQUEST), method="post", label="nothing sent"),
    Row(
        "credential_issue",
        signed_in(NOT_FOUND, moderator=ALLOWED, banned_host=FORBIDDEN),
        args=lambda w: ["hosted", w.held.pk],
        label="a gathering the moderator hosted",
    ),
    Row(
        "credential_issue",
        signed_in(NOT_FOUND, moderator=BAD_REQUEST, banned_host=FORBIDDEN),
        args=lambda w: ["hosted", w.held.pk],
        method="post",
        data=lambda w: {"include": ["date"]},
        label="a second one, or by a banned host",
    ),
    Row(
        "credential_issue",
        signed_in(NOT_FOUND),
        args=lambda w: ["attended", w.main.pk],
        label="a gathering not over",
    ),
    Row(
        "credential_download",
        signed_in(NOT_FOUND, moderator=ALLOWED),
        args=lambda w: [w.extra["credential"].pk],
        label="the moderator's",
    ),
    Row(
        "credential_revoke",
        signed_in(NOT_FOUND, moderator=ALLOWED),
        args=lambda w: [w.extra["credential"].pk],
        method="post",
        label="the moderator's",
    ),
    Row("bookmark_list", signed_in(ALLOWED)),
    Row("notification_list", signed_in(ALLOWED)),
    Row("notification_settings", signed_in(ALLOWED)),
    # An empty POST names no digest frequency: refused, nothing changed.
    Row("notification_settings", signed_in(BAD_REQUEST), method="post", label="post"),
    # A device's push subscription: POST only, members only; an empty body
    # is no subscription (400). Removing acts on the member's own devices
    # only (tests/community/test_push.py): an empty form removes nothing.
    Row("push_subscribe", every(NOT_ALLOWED), label="get"),
    Row("push_subscribe", signed_in(BAD_REQUEST), method="post", label="post"),
    Row("push_unsubscribe", every(NOT_ALLOWED), label="get"),
    Row("push_unsubscribe", signed_in(ALLOWED), method="post", label="post"),
    # The one-click unsubscribe answers anyone who holds the member's link,
    # signed in or not (mail clients post it); it acts on that member only
    # (tests/community/test_notification_settings.py). A GET only asks.
    Row(
        "unsubscribe",
        every(ALLOWED),
        args=lambda w: [unsubscribe_token(w.member("member"), "gathering_new")],
        label="the member's link",
    ),
    Row(
        "unsubscribe",
        every(ALLOWED),
        method="post",
        args=lambda w: [unsubscribe_token(w.member("member"), "gathering_new")],
        label="the member's link, posted",
    ),
    Row(
        "unsubscribe",
        every(NOT_FOUND),
        method="post",
        args=lambda w: [unsubscribe_token(w.member("member"), "reply")[:-2] + "xx"],
        label="an altered link",
    ),
    Row("notification_read_all", signed_in(ALLOWED), method="post"),
    Row(
        "notification_read",
        signed_in(NOT_FOUND, member=ALLOWED),
        args=lambda w: [w.notification.pk],
        method="post",
        label="the member's",
    ),
    Row("my_gatherings", signed_in(ALLOWED)),
    Row("calendar_feed", signed_in(ALLOWED)),
    # The feed URL is its own key (calendar apps send no cookie): whoever
    # holds it reads it; anything else is 404 to everyone.
    Row(
        "personal_calendar",
        every(ALLOWED),
        args=lambda w: [w.feed_token],
        label="the attendee's token",
    ),
    Row(
        "personal_calendar",
        every(NOT_FOUND),
        args=lambda w: [w.feed_token[:-2] + "xx"],
        label="an altered token",
    ),
    # The join URL answers its own attendee only; to anyone else it is
    # unknown.
    Row(
        "gathering_join",
        signed_in(NOT_FOUND, attendee=ALLOWED),
        args=lambda w: [w.join_token],
        label="the attendee's",
    ),
    # A ban ended the seat: the URL answers its owner as a revoked one.
    Row(
        "gathering_join",
        signed_in(NOT_FOUND, banned_attendee=FORBIDDEN),
        args=lambda w: [w.banned_join_token],
        label="the banned attendee's",
    ),
    # --- A community -------------------------------------------------------------
    Row("community_detail", readers(ALLOWED), args=slug),
    Row(
        "community_join",
        signed_in(ALLOWED, banned=FORBIDDEN),
        args=slug,
        method="post",
    ),
    Row("community_leave", signed_in(ALLOWED), args=slug, method="post"),
    Row(
        "board_detail",
        readers(ALLOWED),
        args=lambda w: [w.community.slug, w.board.slug],
    ),
    # Staff moderate everywhere but post only where they are members.
    Row(
        "thread_create",
        posters(ALLOWED, anonymous=LOGIN, staff=FORBIDDEN),
        args=lambda w: [w.community.slug, w.board.slug],
    ),
    Row("thread_detail", readers(ALLOWED), args=thread_args),
    # Follow levels (community.follows): members who read choose one;
    # staff, who are members of no community, have nothing to follow. No
    # level sent: 400; a level: saved.
    *(
        row
        for name, args in (
            ("community_follow", slug),
            ("board_follow", lambda w: [w.community.slug, w.board.slug]),
            ("thread_follow", thread_args),
        )
        for row in (
            Row(
                name,
                readers(BAD_REQUEST, anonymous=LOGIN, staff=FORBIDDEN),
                args=args,
                method="post",
            ),
            Row(
                name,
                readers(ALLOWED, anonymous=LOGIN, staff=FORBIDDEN),
                args=args,
                method="post",
                data=lambda w: {"level": "tracking"},
                label="a level",
            ),
        )
    ),
    Row(
        "thread_edit",
        readers(FORBIDDEN, anonymous=LOGIN, member=ALLOWED),
        args=thread_args,
        label="the member's",
    ),
    Row(
        "thread_delete",
        readers(FORBIDDEN, anonymous=LOGIN, member=ALLOWED),
        args=thread_args,
        method="post",
        label="the member's",
    ),
    # A mute (or leaving) takes away editing one's own posts, as it does
    # posting; deleting them stays the author's.
    Row(
        "thread_edit",
        readers(FORBIDDEN, anonymous=LOGIN),
        args=lambda w: [w.community.slug, w.muted_thread.pk],
        label="the muted author's",
    ),
    Row(
        "thread_edit",
        readers(FORBIDDEN, anonymous=LOGIN),
        args=lambda w: [w.community.slug, w.left_thread.pk],
        label="the left member's",
    ),
    Row(
        "thread_delete",
        readers(FORBIDDEN, anonymous=LOGIN, muted_author=ALLOWED),
        args=lambda w: [w.community.slug, w.muted_thread.pk],
        method="post",
        label="the muted author's",
    ),
    Row(
        "comment_create",
        readers(BAD_REQUEST, anonymous=LOGIN),
        args=thread_args,
        method="post",
    ),
    # The composer's helpers answer those who may post (staff post only where
    # they are members): a preview of a draft, suggestions of whom to mention.
    Row(
        "compose_preview",
        posters(ALLOWED, anonymous=LOGIN, staff=FORBIDDEN),
        args=slug,
        method="post",
        data=lambda w: {"body": "**증분 매출(홀드아웃 테스트)**로"},
    ),
    Row(
        "compose_preview",
        posters(BAD_REQUEST, anonymous=LOGIN, staff=FORBIDDEN),
        args=slug,
        method="post",
        label="an empty draft",
    ),
    Row(
        "mention_suggest",
        posters(BAD_REQUEST, anonymous=LOGIN, staff=FORBIDDEN),
        args=slug,
        label="no query",
    ),
    Row(
        "thread_react",
        posters(ALLOWED, anonymous=LOGIN, staff=FORBIDDEN),
        args=lambda w: [w.community.slug, w.thread.pk, "empathy"],
        method="post",
    ),
    Row(
        "thread_bookmark",
        readers(ALLOWED, anonymous=LOGIN),
        args=thread_args,
        method="post",
    ),
    # Only the thread's author marks an answer (none is named here: 400).
    Row(
        "thread_helpful",
        readers(FORBIDDEN, anonymous=LOGIN, member=BAD_REQUEST),
        args=thread_args,
        method="post",
    ),
    Row(
        "comment_edit",
        readers(FORBIDDEN, anonymous=LOGIN, member=ALLOWED),
        args=comment_args,
        label="the member's",
    ),
    Row(
        "comment_delete",
        readers(FORBIDDEN, anonymous=LOGIN, member=ALLOWED),
        args=comment_args,
        method="post",
        label="the member's",
    ),
    Row(
        "comment_edit",
        readers(FORBIDDEN, anonymous=LOGIN),
        args=lambda w: [w.community.slug, w.muted_comment.pk],
        label="the muted author's",
    ),
    Row(
        "comment_edit",
        readers(FORBIDDEN, anonymous=LOGIN),
        args=lambda w: [w.community.slug, w.left_comment.pk],
        label="the left member's",
    ),
    Row(
        "comment_delete",
        readers(FORBIDDEN, anonymous=LOGIN, muted_author=ALLOWED),
        args=lambda w: [w.community.slug, w.muted_comment.pk],
        method="post",
        label="the muted author's",
    ),
    Row(
        "comment_react",
        posters(ALLOWED, anonymous=LOGIN, staff=FORBIDDEN),
        args=slug,
        method="post",
        data=lambda w: {"empathy": w.comment.pk},
    ),
    Row("community_search", readers(ALLOWED, anonymous=LOGIN), args=slug),
    Row(
        "report_create",
        readers(ALLOWED, anonymous=LOGIN),
        args=slug,
        method="post",
        data=lambda w: {"thread": w.thread.pk},
        label="the member's thread",
    ),
    Row("moderation_queue", moderators(ALLOWED), args=slug),
    Row("moderation_action", moderators(ALLOWED), args=slug, method="post"),
    Row("audit_log", moderators(ALLOWED), args=slug),
    Row("sanctions", moderators(ALLOWED), args=slug),
    Row(
        "sanction_lift",
        moderators(ALLOWED),
        args=lambda w: [w.community.slug, w.sanction.pk],
        method="post",
        label="the banned member's",
    ),
    # Roles are the owner's (and staff's) to give, not a moderator's.
    Row(
        "member_role",
        moderators(ALLOWED, moderator=FORBIDDEN),
        args=slug,
        method="post",
    ),
    # The draw options (overbooking) are the owner's (and staff's) to set.
    Row(
        "community_fairness",
        moderators(ALLOWED, moderator=FORBIDDEN),
        args=slug,
    ),
    Row(
        "community_fairness",
        moderators(ALLOWED, moderator=FORBIDDEN),
        args=slug,
        method="post",
        data=lambda w: {"overbooking": "on"},
        label="overbooking switched on",
    ),
    Row("community_calendar", readers(ALLOWED), args=slug),
    # --- Gatherings: members' pages ----------------------------------------------
    Row("gathering_detail", readers(ALLOWED), args=g("main")),
    Row(
        "gathering_detail",
        readers(NOT_FOUND, moderator=ALLOWED, staff=ALLOWED),
        args=g("draft"),
        label="another member's draft",
    ),
    Row("gathering_ics", readers(ALLOWED), args=g("main")),
    # A draft has no calendar, not even for its organisers.
    Row(
        "gathering_ics",
        readers(NOT_FOUND),
        args=g("draft"),
        label="another member's draft",
    ),
    Row("draw_record", readers(ALLOWED), args=g("main")),
    Row(
        "draw_record",
        readers(ALLOWED),
        args=g("held"),
        label="another gathering's draw",
    ),
    Row(
        "draw_record",
        readers(NOT_FOUND),
        args=g("draft"),
        label="a draft, never drawn",
    ),
    Row("draw_results", readers(ALLOWED), args=g("main")),
    Row(
        "draw_results",
        readers(ALLOWED),
        args=g("held"),
        label="another gathering's draw",
    ),
    Row(
        "draw_results",
        readers(NOT_FOUND),
        args=g("draft"),
        label="a draft, never drawn",
    ),
    Row(
        "gathering_apply",
        readers(ALLOWED, anonymous=LOGIN),
        args=g("open"),
        method="post",
    ),
    Row(
        "gathering_withdraw",
        readers(ALLOWED, anonymous=LOGIN),
        args=g("open"),
        method="post",
    ),
    # Refused in words for anyone but an attendee of a gathering at a venue,
    # back to the gathering page; the banned attendee cannot read it.
    Row(
        "gathering_self_checkin",
        readers(ALLOWED, anonymous=LOGIN),
        args=g("main"),
        method="post",
        data=lambda w: {"code": "ABCDEF"},
    ),
    Row(
        "offer_confirm",
        readers(ALLOWED, anonymous=LOGIN),
        args=g("main"),
        method="post",
    ),
    Row(
        "offer_decline",
        readers(ALLOWED, anonymous=LOGIN),
        args=g("main"),
        method="post",
    ),
    Row(
        "survey_answer",
        readers(FORBIDDEN, anonymous=LOGIN),
        args=g("held"),
        label="another gathering's survey",
    ),
    Row(
        "survey_answer",
        readers(FORBIDDEN, anonymous=LOGIN),
        args=g("main"),
        label="before the end",
    ),
    Row(
        "takeaway_edit",
        readers(FORBIDDEN, anonymous=LOGIN),
        args=g("held"),
        label="another gathering's",
    ),
    # The follow-up: only the member it was asked to answers it; a ban or
    # leaving the community takes it away; organisers see counts, never an
    # answer page.
    Row(
        "followup_answer",
        readers(FORBIDDEN, anonymous=LOGIN, member=ALLOWED),
        args=g("held"),
        label="asked to the member",
    ),
    Row(
        "followup_answer",
        readers(FORBIDDEN, anonymous=LOGIN, member=ALLOWED),
        args=g("held"),
        method="post",
        data=lambda w: {"answer": "applied", "note": "팀에 공유했어요"},
        label="the member answers",
    ),
    Row(
        "followup_answer",
        readers(FORBIDDEN, anonymous=LOGIN),
        args=g("main"),
        label="nothing asked yet",
    ),
    # --- Gatherings: organisers' pages -------------------------------------------
    Row("gathering_create", moderators(ALLOWED), args=slug),
    Row("gathering_edit", organisers(ALLOWED), args=g("main")),
    Row(
        "gathering_edit",
        moderators(ALLOWED),
        args=g("draft"),
        label="another member's draft",
    ),
    Row("gathering_publish", moderators(ALLOWED), args=g("draft"), method="post"),
    # The confirmation page: what publishing does, and the button.
    Row("gathering_publish", moderators(ALLOWED), args=g("draft"), label="confirm"),
    Row("gathering_preview", organisers(ALLOWED), args=g("main")),
    Row(
        "gathering_preview",
        moderators(ALLOWED),
        args=g("draft"),
        label="another member's draft",
    ),
    Row("gathering_share", organisers(ALLOWED), args=g("main")),
    Row("gathering_qr", organisers(ALLOWED), args=g("main")),
    # The host picker's suggestions: for who may name hosts in the community
    # (its moderators and its gatherings' hosts), not muted or banned.
    Row(
        "gathering_host_suggest",
        organiser_writers(BAD_REQUEST),
        args=slug,
        label="no query",
    ),
    Row(
        "gathering_host_suggest",
        organiser_writers(ALLOWED),
        args=slug,
        data=lambda w: {"q": "a"},
        label="a query",
    ),
    Row("gathering_cover", organisers(ALLOWED), args=g("main")),
    Row(
        "gathering_cover",
        organiser_writers(BAD_REQUEST),
        args=g("main"),
        method="post",
        label="no picture chosen",
    ),
    Row(
        "gathering_edit",
        organiser_writers(BAD_REQUEST),
        args=g("main"),
        method="post",
        data=lambda w: {"title": "확성기"},
        label="a new title (the other fields missing)",
    ),
    Row("gathering_amend", organisers(ALLOWED), args=g("open")),
    Row(
        "gathering_amend",
        organiser_writers(ALLOWED),
        args=g("open"),
        method="post",
        data=lambda w: {
            "capacity": "5",
            "claim_window_hours": "24",
            "offer_cutoff_hours": "2",
            "reason": "더 큰 방을 구했어요",
        },
        label="a numbered amendment with its reason",
    ),
    Row("gathering_cancel", organisers(ALLOWED), args=g("main")),
    Row(
        "gathering_cancel",
        organiser_writers(ALLOWED),
        args=g("main"),
        method="post",
        data=lambda w: {"reason": "모두에게 알립니다"},
        label="with a reason mailed to every applicant",
    ),
    # Repeating makes new gatherings, which is the moderators' power (as
    # gathering_create): a gathering's plain-member host, muted or not, is
    # refused; a banned moderator organises nothing.
    Row("gathering_repeat", moderators(ALLOWED), args=g("main")),
    Row(
        "gathering_repeat",
        moderators(ALLOWED),
        args=g("held"),
        label="another gathering's",
    ),
    Row(
        "gathering_repeat",
        moderators(BAD_REQUEST),
        args=g("main"),
        method="post",
        label="no dates",
    ),
    Row("gathering_series", moderators(ALLOWED), args=g("open")),
    Row(
        "gathering_series",
        moderators(BAD_REQUEST),
        args=g("open"),
        method="post",
        label="no rule",
    ),
    Row(
        "gathering_series",
        moderators(ALLOWED),
        args=g("open"),
        method="post",
        data=lambda w: {"rule": "weekly", "count": "3", "publish": "on"},
        label="weekly, three times",
    ),
    Row(
        "gathering_series_stop",
        moderators(ALLOWED),
        args=g("open"),
        method="post",
    ),
    Row("gathering_manage", organisers(ALLOWED), args=g("main")),
    Row(
        "gathering_manage",
        moderators(ALLOWED),
        args=g("held"),
        label="another gathering's",
    ),
    # The applicants' exports: organisers read them as they read the page (a
    # muted host too; a banned host no longer organises).
    Row("gathering_applicants_csv", organisers(ALLOWED), args=g("main")),
    Row(
        "gathering_applicants_csv",
        moderators(ALLOWED),
        args=g("held"),
        label="another gathering's",
    ),
    Row("gathering_applicants_xlsx", organisers(ALLOWED), args=g("main")),
    Row(
        "gathering_applicants_xlsx",
        moderators(ALLOWED),
        args=g("held"),
        label="another gathering's",
    ),
    Row("gathering_draw", organisers(ALLOWED), args=g("main"), method="post"),
    Row(
        "gathering_draw",
        moderators(ALLOWED),
        args=g("held"),
        method="post",
        label="another gathering's draw",
    ),
    Row(
        "gathering_join_revoke",
        organisers(ALLOWED),
        args=g("main"),
        method="post",
        data=lambda w: {"application": w.extra["attendee_application"].pk},
        label="the attendee's join URL",
    ),
    Row(
        "gathering_join_revoke",
        organisers(NOT_FOUND),
        args=g("main"),
        method="post",
        data=lambda w: {"application": w.extra["held_application"].pk},
        label="an application to another gathering",
    ),
    Row("gathering_checkin", organisers(ALLOWED), args=g("main")),
    # A check-in at the door with the attendee's short code (the main
    # gathering is online: an organiser may still record attendance so).
    Row(
        "gathering_checkin_scan",
        organisers(ALLOWED),
        args=g("main"),
        method="post",
        data=lambda w: {"value": attendee_short_code(w)},
        label="the attendee's code",
    ),
    Row("gathering_checkin_venue", organisers(ALLOWED), args=g("main")),
    # Refused in words (no venue), back to the page: let in all the same.
    Row(
        "gathering_checkin_venue",
        organisers(ALLOWED),
        args=g("main"),
        method="post",
        data=lambda w: {"action": "on"},
        label="self check-in turned on",
    ),
    Row("gathering_messages", organisers(ALLOWED), args=g("main")),
    Row(
        "gathering_messages",
        organiser_writers(ALLOWED),
        args=g("main"),
        method="post",
        data=lambda w: {
            "segment": "waitlisted",
            "subject": "안내",
            "body": "자리가 나면 알려드려요",
            "when": "now",
        },
        label="a message sent now",
    ),
    Row(
        "gathering_messages",
        moderators(ALLOWED),
        args=g("held"),
        label="another gathering's",
    ),
    Row(
        "gathering_message",
        readers(
            NOT_FOUND,
            anonymous=LOGIN,
            attendee=ALLOWED,
            waitlisted=ALLOWED,
            organiser=ALLOWED,
            muted_host=ALLOWED,
            moderator=ALLOWED,
            staff=ALLOWED,
        ),
        args=lambda w: [w.community.slug, w.main.pk, w.extra["message"].pk],
        label="a message sent to all applicants",
    ),
    Row(
        "gathering_message",
        readers(NOT_FOUND, anonymous=LOGIN),
        args=lambda w: [w.community.slug, w.open.pk, w.extra["message"].pk],
        label="under another gathering's address",
    ),
    Row(
        "gathering_message_cancel",
        organiser_writers(ALLOWED),
        args=lambda w: [w.community.slug, w.main.pk, w.extra["scheduled_message"].pk],
        method="post",
        label="a scheduled message",
    ),
    Row(
        "gathering_message_cancel",
        every(NOT_ALLOWED),
        args=lambda w: [w.community.slug, w.main.pk, w.extra["scheduled_message"].pk],
        label="asked for with GET",
    ),
    Row("survey_edit", organisers(ALLOWED), args=g("main")),
    Row(
        "survey_edit",
        organiser_writers(ALLOWED),
        args=g("main"),
        method="post",
        data=lambda w: {"action": "add", "kind": "text", "label": "무엇을?"},
        label="a question added",
    ),
    Row(
        "survey_results",
        moderators(ALLOWED),
        args=g("held"),
        label="another gathering's",
    ),
    Row(
        "survey_results_csv",
        moderators(ALLOWED),
        args=g("held"),
        label="another gathering's",
    ),
    # --- How the community's gatherings went: its moderators' -------------------
    # A ban takes it from a moderator too (tests/events/test_analytics.py).
    Row("community_analytics", moderators(ALLOWED), args=slug),
    Row("community_analytics_gatherings_csv", moderators(ALLOWED), args=slug),
    Row("community_analytics_months_csv", moderators(ALLOWED), args=slug),
    Row("gathering_analytics", moderators(ALLOWED), args=g("held")),
    Row(
        "gathering_analytics",
        moderators(NOT_FOUND),
        args=g("main"),
        label="a gathering not over yet",
    ),
]


# --- The admin (Django's, not ours) ------------------------------------------------
# Its routes are generated per registered model; each gets a row, tried with
# the three kinds that tell its gate apart: a visitor, a member (not staff)
# and staff without model permissions (the matrix's staff is not a
# superuser). Both non-staff kinds are sent to the admin's sign-in page.
ADMIN_KINDS = ("anonymous", "member", "staff")
ADMIN_ROWS = {
    # allauth's sign-in is the admin's only door (config/admin.py): a visitor
    # is sent there, staff go on, a signed-in member who is not staff is
    # refused (allauth would send them straight back).
    "admin:login": every(LOGIN, member=FORBIDDEN, staff=ALLOWED),
    # POST only since Django 5.0; the admin sends non-staff to its index.
    "admin:logout": every(ALLOWED, staff=NOT_ALLOWED),
    "admin:index": every(LOGIN, staff=ALLOWED),
    "admin:password_change": every(LOGIN, staff=ALLOWED),
    "admin:password_change_done": every(LOGIN, staff=ALLOWED),
    "admin:jsi18n": every(LOGIN, staff=ALLOWED),
    "admin:app_list": every(LOGIN, staff=NOT_FOUND),
    "admin:view_on_site": every(LOGIN, staff=NOT_FOUND),
    "admin/(?P<url>.*)$": every(LOGIN, staff=NOT_FOUND),
}
ADMIN_ARGS = {
    "app_label": "community",
    # No object has pk 0: the answers do not depend on what the world holds.
    "object_id": "0",
    "content_type_id": "0",
    "id": "0",
    "url": "nowhere/",
}


def _admin_staff(key: str) -> str:
    """A model page: staff without the model's permissions are refused,
    except where the admin looks the object up first and, finding none,
    redirects to its index."""
    if key.endswith("_history") or key.endswith("<path:object_id>/"):
        return ALLOWED
    return FORBIDDEN


def admin_row(key: str, pattern_kwargs: list[str], path: str | None) -> Row:
    expect = ADMIN_ROWS.get(key) or every(LOGIN, staff=_admin_staff(key))
    expect = {kind: expect[kind] for kind in ADMIN_KINDS}
    kwargs = {name: ADMIN_ARGS[name] for name in pattern_kwargs}
    if path is not None:
        return Row(key, expect, path=lambda w: path)
    return Row(key, expect, args=lambda w: kwargs)


# --- Websocket routes ----------------------------------------------------------------
# Refusals are an error frame and a close code: 4401 sign in, 4403 refused,
# 4404 no such room. A room that lets the member in says in its hello what
# they may do there: moderate, write (ALLOWED) or only read. The world's main
# gathering is in its lobby for these.
SOCKET_LOGIN = "4401"
SOCKET_FORBIDDEN = "4403"
SOCKET_NOT_FOUND = "4404"
MODERATES = "moderates"
READ_ONLY = "read only"


@dataclass(frozen=True)
class SocketRow:
    route: str  # the route's pattern, as websocket_urlpatterns has it
    expect: dict[str, str]
    path: Callable[[World], str]
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.route}[{self.label}]" if self.label else self.route


ROOM_ROUTE = r"^ws/rooms/(?P<room>[^/]{1,120})/$"


def _room(key: Callable[[World], str]) -> Callable[[World], str]:
    return lambda w: f"/ws/rooms/{key(w)}/"


SOCKET_ROWS = [
    SocketRow(
        ROOM_ROUTE,
        every(
            SOCKET_FORBIDDEN,
            anonymous=SOCKET_LOGIN,
            attendee=ALLOWED,
            organiser=MODERATES,
            muted_host=READ_ONLY,
            moderator=MODERATES,
            staff=MODERATES,
        ),
        _room(lambda w: f"gathering-{w.main.pk}"),
        label="the main gathering's room",
    ),
    # Over: an archive its organisers still moderate, and the banned host
    # does not enter.
    SocketRow(
        ROOM_ROUTE,
        every(
            SOCKET_FORBIDDEN,
            anonymous=SOCKET_LOGIN,
            moderator=MODERATES,
            staff=MODERATES,
        ),
        _room(lambda w: f"gathering-{w.held.pk}"),
        label="another gathering's room",
    ),
    SocketRow(
        ROOM_ROUTE,
        every(SOCKET_NOT_FOUND, anonymous=SOCKET_LOGIN),
        _room(lambda w: f"gathering-{w.draft.pk}"),
        label="a draft's room",
    ),
    SocketRow(
        ROOM_ROUTE,
        readers(
            ALLOWED,
            SOCKET_FORBIDDEN,
            anonymous=SOCKET_LOGIN,
            moderator=MODERATES,
            staff=MODERATES,
            **dict.fromkeys(MUTED, READ_ONLY),
        ),
        _room(lambda w: f"lounge-{w.community.slug}"),
        label="the community's lounge",
    ),
    SocketRow(
        ROOM_ROUTE,
        every(SOCKET_FORBIDDEN, anonymous=SOCKET_LOGIN, staff=MODERATES),
        _room(lambda w: f"lounge-{w.other_community.slug}"),
        label="another community's lounge",
    ),
    SocketRow("ws/me/", signed_in(ALLOWED, SOCKET_LOGIN), lambda w: "/ws/me/"),
]

"""Bad input (SECURITY.md): Hypothesis posts hostile values to every form of
the project and every view that reads a POST, through the real view, as a
visitor allowed to use it. Every answer must be: no server error, a refusal
in words of the request's language (Korean by default, English when asked),
never a raw exception's text, and nothing stored from a refused request.

The table ``ENTRIES`` names, per URL, who posts, which form classes the
view drives, a valid body (which must be accepted: the fuzz reaches the
form, not a permission refusal) and a strategy for hostile bodies. Two tests
keep it complete: a form class of the project (or one of allauth's that the
site exposes) without an entry fails, and so does a URL of the access matrix
that accepts a POST without one.

The access matrix's world (tests/access_matrix.py) is built once for the
module; each request runs in a savepoint that is rolled back.
"""

import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

import pytest
from allauth.account import forms as allauth_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.recovery_codes import forms as recovery_code_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from allauth.socialaccount import forms as allauth_social_forms
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.usersessions.forms import ManageUserSessionsForm
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import F
from django.test import Client, TestCase
from django.urls import resolve, reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from community.fields import SEOUL
from community.forms import (
    DisconnectForm,
    LeaveForm,
    PictureForm,
    ProfileForm,
    SignupForm,
    SocialSignupForm,
    VerificationResendForm,
    WorkEmailForm,
)
from community.forms_consent import (
    ConsentFormMixin,
    MarketingConsentForm,
    RequiredConsentForm,
)
from community.forms_forum import CommentForm, HelpfulForm, PreviewForm, ThreadForm
from community.forms_mfa import PasskeyAddForm, PasskeyRenameForm
from community.forms_moderation import (
    ModerationActionForm,
    ReportForm,
    RoleForm,
    SanctionForm,
)
from community.forms_notifications import FollowForm, NotificationSettingsForm
from community.models import Member
from community.preferences import unsubscribe_token
from events.admin import SurveyAdminForm
from events.checkin_tokens import attendee_code, attendee_pass
from events.forms import (
    ApplicationForm,
    ExperienceForm,
    FollowUpForm,
    SelfCheckinForm,
    SurveyForm,
    TakeawayForm,
)
from events.forms_credentials import CredentialIssueForm, CredentialVerifyForm
from events.forms_messages import MessageForm
from events.forms_organise import (
    DATETIME_FIELDS,
    AmendForm,
    CancelForm,
    CheckinForm,
    CheckinScanForm,
    FairnessOptionsForm,
    GatheringForm,
    SelfCheckinSettingsForm,
    SurveyQuestionForm,
    SurveySettingsForm,
)
from events.forms_repeat import RepeatForm, SeriesForm
from events.models import Gathering, Survey
from events.services.lifecycle import gathering_advance_if_due
from tests import access_matrix as m
from tests import hostile, pictures
from tests.events.factories import MARKER_LINK, gathering_held, gathering_open
from tests.factories import (
    CONSENTS,
    PASSWORD,
    TOTP_SECRET,
    client_sign_in,
    member_create,
    two_factor_add,
)
from tests.totp import totp_now

LABELS = ("community", "events", "realtime", "account", "mfa", "usersessions")
# None: a browser that names no language, which gets Korean.
LANGUAGES = st.sampled_from(["ko", "en", None])
_emails = itertools.count(1)


# --- What is posted, by whom ----------------------------------------------------


@dataclass
class Stage:
    """What the world lacks for a few forms: a gathering open for
    applications and one whose survey is open to its attendees, both by the
    wall clock, and a superuser for the admin's form."""

    open_gathering: Gathering
    survey_gathering: Gathering
    attendee: Member
    superuser: Member


@dataclass(frozen=True)
class Entry:
    key: str  # the URL name, as the access matrix has it
    who: Callable  # (world, stage) -> Member | None
    url: Callable  # (world, stage) -> str
    valid: Callable  # (world, stage) -> dict: a body the view accepts
    fields: Callable  # (world, stage) -> strategy of hostile bodies
    forms: tuple = ()  # the form classes this view drives
    label: str = ""
    # (world, stage) -> what the visitor's session holds before the post:
    # a sign-up through a provider that is waiting for its form.
    session: Callable | None = None

    @property
    def id(self) -> str:
        return f"{self.key}[{self.label}]" if self.label else self.key


def pending_social_signup() -> dict:
    """The session of a visitor back from Kakao, its sign-up form to fill."""
    provider = get_social_adapter().get_provider(None, "kakao")
    login = provider.sociallogin_from_response(
        None,
        {
            "id": 990001,
            "kakao_account": {
                "email": "from-kakao@example.org",
                "is_email_verified": True,
                "profile": {"nickname": "카카오"},
            },
        },
    )
    return {"socialaccount_sociallogin": login.serialize()}


def picture_uploads(w, s):
    """Files that are no picture, or a truncated or oversized one, under
    any name and type."""
    return st.builds(
        lambda data, name, content_type: pictures.upload(data, name, content_type),
        st.one_of(
            st.binary(max_size=200),
            st.just(pictures.HTML),
            st.just(pictures.photo()[:60]),
            st.just(pictures.png_bomb(side=7_000)),
        ),
        st.sampled_from(["photo.jpg", "a.png", "x.html", "", "사진.gif"]),
        st.sampled_from(["image/jpeg", "text/html", "application/octet-stream"]),
    )


def pasted_credentials(token: str) -> st.SearchStrategy:
    """A credential as a careless or hostile paste makes it: one character
    changed, cut short, with text around it, its parts shuffled or made
    up, or far too long."""
    parts = token.split(".")
    return st.one_of(
        st.builds(
            lambda at, char: token[:at] + char + token[at + 1 :],
            st.integers(0, len(token) - 1),
            st.sampled_from(["A", "_", "-", ".", "가", "=", " ", "\x00"]),
        ),
        st.integers(1, len(token) - 1).map(lambda at: token[:at]),
        st.builds(lambda a, b: a + token + b, hostile.text, hostile.text),
        st.permutations(parts).map(".".join),
        st.lists(
            st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            min_size=1,
            max_size=5,
        ).map(".".join),
        st.just(token * 8),
    )


def text_upload(data: str | bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return SimpleUploadedFile("credential.jwt", data, "application/octet-stream")


def kind(name: str) -> Callable:
    return lambda w, s: w.member(name)


def url(name: str, args: Callable = lambda w, s: []) -> Callable:
    return lambda w, s: reverse(name, args=args(w, s))


def body(**strategies) -> Callable:
    """Hostile bodies: each field a hostile value or one of its valid
    values, sometimes missing, sometimes sent several times; and now and
    then a field no form has."""

    def build(w, s):
        parts = {
            name: st.one_of(
                strategy(w, s) if callable(strategy) else strategy,
                st.lists(hostile.text, min_size=2, max_size=3),
            )
            for name, strategy in strategies.items()
        }
        return st.builds(
            lambda chosen, extra: {**chosen, **extra},
            st.fixed_dictionaries({}, optional=parts),
            st.dictionaries(
                st.sampled_from(["id", "pk", "member", "csrfmiddlewaretoken", "\x00"]),
                hostile.text,
                max_size=2,
            ),
        )

    return build


v = hostile.value


def ids(*getters: Callable) -> Callable:
    """Hostile numbers, or the ids of the world's objects (other members'
    included)."""
    if not getters:
        return lambda w, s: hostile.number_strings
    return lambda w, s: st.one_of(
        hostile.number_strings, st.sampled_from([str(g(w, s)) for g in getters])
    )


def other_ids(w, s) -> list[str]:
    return [w.member(k).public_id for k in ("member", "banned", "attendee", "staff")]


def public_ids(w, s):
    return st.one_of(hostile.text, st.sampled_from(other_ids(w, s)))


def push_subscription_body() -> dict:
    """A browser's subscription: an https endpoint and real keys."""
    from tests.push_server import b64url

    key = ec.generate_private_key(ec.SECP256R1())
    point = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}",
        "p256dh": b64url(point),
        "auth": b64url(uuid.uuid4().bytes),
    }


def fresh_email() -> str:
    return f"fuzz{next(_emails)}-{uuid.uuid4().hex[:6]}@example.org"


emails = st.one_of(
    hostile.text,
    st.emails().map(str),
    st.sampled_from(
        [
            "a@b",
            "가나@다라.한국",
            "x" * 300 + "@example.org",
            "a\x00b@example.org",
            "me@gmail.com",
            "<script>@example.org",
        ]
    ),
)


def seoul(moment) -> str:
    return timezone.localtime(moment, SEOUL).strftime("%Y-%m-%dT%H:%M")


def gathering_body(w, s) -> dict:
    start = timezone.now() + timedelta(days=20)
    return {
        "title": "새 모임",
        "description": "설명",
        "format": "online",
        "video_link": "https://meet.example/new",
        "venue": "",
        "starts_at": seoul(start),
        "ends_at": seoul(start + timedelta(hours=2)),
        "capacity": "10",
        "selection_mode": "lottery",
        "applications_open_at": seoul(start - timedelta(days=6)),
        "applications_close_at": seoul(start - timedelta(days=4)),
        "motivation_prompt": "",
        "questions": "",
        "hosts": "",
        "claim_window_hours": "24",
        "link_release_hours": "24",
        "offer_cutoff_hours": "2",
    }


GATHERING_FIELDS = body(
    title=v("모임"),
    description=v("설명"),
    format=v("online", "offline", "hybrid"),
    video_link=v("https://meet.example/x", "javascript:alert(1)", "http://x"),
    venue=v("강남역"),
    starts_at=hostile.date_strings,
    ends_at=hostile.date_strings,
    applications_open_at=hostile.date_strings,
    applications_close_at=hostile.date_strings,
    capacity=v("1", "100000", "100001"),
    selection_mode=v("lottery", "first_come"),
    motivation_prompt=v(),
    questions=v("하나\n둘", "\n".join(["질문"] * 6)),
    hosts=lambda w, s: st.one_of(
        hostile.text, st.sampled_from([" ".join(other_ids(w, s))])
    ),
    require_work_verified=v("on"),
    require_matching_role=v("on"),
    claim_window_hours=v("24"),
    link_release_hours=v("24"),
    offer_cutoff_hours=v("2"),
)


def gathering_body_of(gathering: Gathering) -> dict:
    """The edit form as its page shows it for ``gathering``."""
    hours = {
        "claim_window_hours": gathering.claim_window,
        "link_release_hours": gathering.link_release_before,
        "offer_cutoff_hours": gathering.offer_cutoff_before,
    }
    return {
        **{name: getattr(gathering, name) for name in ("title", "description")},
        **{name: getattr(gathering, name) for name in ("format", "video_link")},
        **{name: getattr(gathering, name) for name in ("venue", "selection_mode")},
        **{name: seoul(getattr(gathering, name)) for name in DATETIME_FIELDS},
        **{name: str(int(d.total_seconds() // 3600)) for name, d in hours.items()},
        "capacity": str(gathering.capacity),
        "motivation_prompt": gathering.motivation_prompt,
        "questions": "\n".join(gathering.questions),
        "hosts": "",
    }


def gathering_fields(base: Callable) -> Callable:
    """Hostile fields over the valid body ``base``: the fields left valid
    let the hostile ones reach the deeper checks (the services)."""
    return lambda w, s: GATHERING_FIELDS(w, s).map(lambda part: {**base(w, s), **part})


def g_args(attr: str) -> Callable:
    return lambda w, s: [w.community.slug, getattr(w, attr).pk]


def slug_args(w, s) -> list:
    return [w.community.slug]


def thread_args(w, s) -> list:
    return [w.community.slug, w.thread.pk]


def comment_args(w, s) -> list:
    return [w.community.slug, w.comment.pk]


def survey_args(w, s) -> list:
    return [w.community.slug, s.survey_gathering.pk]


def attendee_application(w, s) -> int:
    return w.extra["attendee_application"].pk


def other_application(w, s) -> int:
    return w.extra["held_application"].pk


def attendee_codes(w, s):
    """The attendee's check-in pass and short code, and another
    gathering's pass."""
    application = w.extra["attendee_application"]
    held = w.extra["held_application"]
    return (
        attendee_pass(gathering_id=w.main.pk, public_id=application.public_id),
        attendee_code(gathering_id=w.main.pk, public_id=application.public_id),
        attendee_pass(gathering_id=w.held.pk, public_id=held.public_id),
    )


def experience_body() -> dict:
    return {
        "kind": "project",
        "title": "광고 자동화",
        "started_on": "2024-02",
        "skills": ["performance-ads"],
        "tags": "자동화",
        "visibility": "private",
    }


experience_fields = body(
    kind=v("job", "project", "programme", "talk"),
    title=v("광고 자동화"),
    organisation=v("모임랩"),
    started_on=st.one_of(hostile.date_strings, st.sampled_from(["2024-02", "2031-01"])),
    ended_on=st.one_of(
        hostile.date_strings, st.sampled_from(["", "2023-12", "2024-13"])
    ),
    learned=v(),
    skills=v("performance-ads", "data-analysis", "juggling"),
    tags=v("#GA4, ga4", ","),
    visibility=v("private", "community", "public"),
)

ENTRIES: list[Entry] = [
    # --- Accounts (allauth, and the project's sign-up form) ---------------------
    Entry(
        "account_signup",
        kind("anonymous"),
        url("account_signup"),
        lambda w, s: {
            "email": fresh_email(),
            "real_name": "김철수",
            "password1": PASSWORD,
            "password2": PASSWORD,
            **CONSENTS,
        },
        body(
            email=emails,
            real_name=v("김철수"),
            password1=v(PASSWORD),
            password2=v(PASSWORD),
            agree_terms=v("on"),
            agree_privacy=v("on"),
            agree_age=v("on"),
            agree_marketing=v("on"),
        ),
        forms=(SignupForm, ConsentFormMixin, allauth_forms.SignupForm),
    ),
    Entry(
        "account_login",
        kind("anonymous"),
        url("account_login"),
        lambda w, s: {"login": w.member("member").email, "password": PASSWORD},
        body(
            login=lambda w, s: st.one_of(emails, st.just(w.member("member").email)),
            password=v(PASSWORD),
            remember=v("on"),
        ),
        forms=(allauth_forms.LoginForm,),
    ),
    Entry(
        "account_change_password",
        kind("member"),
        url("account_change_password"),
        lambda w, s: {
            "oldpassword": PASSWORD,
            "password1": "another-horse-9",
            "password2": "another-horse-9",
        },
        body(oldpassword=v(PASSWORD), password1=v(), password2=v()),
        forms=(allauth_forms.ChangePasswordForm,),
    ),
    Entry(
        "account_set_password",
        kind("member"),
        url("account_set_password"),
        # A member with a password is sent to the change form.
        lambda w, s: {},
        body(password1=v(), password2=v()),
        forms=(allauth_forms.SetPasswordForm,),
    ),
    Entry(
        "verification_resend",
        kind("anonymous"),
        url("verification_resend"),
        lambda w, s: {"email": w.member("member").email},
        body(email=emails),
        forms=(VerificationResendForm,),
    ),
    Entry(
        "account_reset_password",
        kind("anonymous"),
        url("account_reset_password"),
        lambda w, s: {"email": w.member("member").email},
        body(email=emails),
        forms=(allauth_forms.ResetPasswordForm,),
    ),
    Entry(
        "account_reset_password_from_key",
        kind("anonymous"),
        url("account_reset_password_from_key", lambda w, s: ["1", "no-such-key"]),
        # An unknown key: the page says the link is not valid.
        lambda w, s: None,
        body(password1=v(), password2=v()),
        forms=(allauth_forms.ResetPasswordKeyForm,),
    ),
    Entry(
        "account_email",
        kind("member"),
        url("account_email"),
        lambda w, s: {"action_add": "", "email": fresh_email()},
        body(
            email=emails,
            action_add=v(""),
            action_primary=v(""),
            action_send=v(""),
            action_remove=v(""),
        ),
        forms=(allauth_forms.AddEmailForm,),
    ),
    Entry(
        "account_reauthenticate",
        kind("member"),
        url("account_reauthenticate"),
        lambda w, s: {"password": PASSWORD},
        body(password=v(PASSWORD)),
        forms=(allauth_forms.ReauthenticateForm,),
    ),
    Entry(
        "account_request_reauthentication_code",
        kind("member"),
        url("account_request_reauthentication_code"),
        lambda w, s: {"recipient": w.member("member").email},
        body(recipient=lambda w, s: v(w.member("member").email)),
        forms=(allauth_forms.RequestReauthenticationCodeForm,),
    ),
    Entry(
        "account_confirm_reauthentication_code",
        kind("member"),
        url("account_confirm_reauthentication_code"),
        # No code is pending: back to the page that mails one.
        lambda w, s: {},
        body(code=v("ABCD-EFGH"), action=v("verify", "resend")),
        forms=(allauth_forms.ConfirmReauthenticationCodeForm,),
    ),
    Entry(
        "account_confirm_login_code",
        kind("anonymous"),
        url("account_confirm_login_code"),
        # No login code is pending: back to the sign-in page.
        lambda w, s: {},
        body(code=v("123456")),
        forms=(allauth_forms.ConfirmLoginCodeForm,),
    ),
    Entry(
        "account_confirm_email",
        kind("member"),
        url("account_confirm_email", lambda w, s: ["no-such-key"]),
        # An unknown key: 404.
        lambda w, s: None,
        body(key=v()),
    ),
    Entry(
        "account_logout",
        kind("member"),
        url("account_logout"),
        lambda w, s: {},
        body(next=v("/", "//evil.example/", "javascript:alert(1)")),
    ),
    # --- Sign-in with Kakao, Naver and Google -----------------------------------
    Entry(
        "socialaccount_signup",
        kind("anonymous"),
        url("socialaccount_signup"),
        lambda w, s: {"email": fresh_email(), "real_name": "김철수", **CONSENTS},
        body(
            email=emails,
            real_name=v("김철수"),
            agree_terms=v("on"),
            agree_privacy=v("on"),
            agree_age=v("on"),
            agree_marketing=v("on"),
        ),
        forms=(SocialSignupForm, allauth_social_forms.SignupForm),
        session=lambda w, s: pending_social_signup(),
    ),
    Entry(
        "socialaccount_connections",
        kind("member"),
        url("socialaccount_connections"),
        # The member has no provider connected: nothing to choose.
        lambda w, s: None,
        body(account=ids(lambda w, s: w.member("member").pk)),
        forms=(DisconnectForm, allauth_social_forms.DisconnectForm),
    ),
    *(
        Entry(
            f"{provider}_login",
            kind("anonymous"),
            url(f"{provider}_login"),
            # Sent on to the provider (a closed local port in the tests).
            lambda w, s: {},
            body(
                process=v("login", "connect", "redirect", "reauthenticate"),
                next=v("/", "//evil.example/", "javascript:alert(1)"),
                scope=v("email"),
                auth_params=v("prompt=login"),
            ),
        )
        for provider in ("kakao", "naver", "google")
    ),
    # --- Two-factor and devices (allauth.mfa, allauth.usersessions) --------------
    # No sign-in is waiting for a second factor here: back to the sign-in
    # page, whatever the body. Its form's checks are the re-authentication
    # form's (a subclass), tried below with a member who has an app.
    Entry(
        "mfa_authenticate",
        kind("anonymous"),
        url("mfa_authenticate"),
        lambda w, s: {},
        body(code=v("123456")),
        forms=(mfa_forms.AuthenticateForm,),
    ),
    Entry(
        "mfa_reauthenticate",
        kind("staff"),
        url("mfa_reauthenticate"),
        lambda w, s: {"code": totp_now(TOTP_SECRET)},
        body(code=v("123456", "12345678")),
        forms=(mfa_forms.ReauthenticateForm,),
    ),
    Entry(
        "mfa_activate_totp",
        kind("member"),
        url("mfa_activate_totp"),
        # The code answers the secret shown on the page the member opened;
        # without it, any code is wrong (tests/community/test_two_factor.py
        # sets an app up for real).
        lambda w, s: None,
        body(code=v("123456"), signup=v("on")),
        forms=(totp_forms.ActivateTOTPForm,),
    ),
    Entry(
        "mfa_deactivate_totp",
        kind("staff"),
        url("mfa_deactivate_totp"),
        lambda w, s: {},
        body(),
        forms=(totp_forms.DeactivateTOTPForm,),
    ),
    Entry(
        "mfa_generate_recovery_codes",
        kind("staff"),
        url("mfa_generate_recovery_codes"),
        lambda w, s: {},
        body(),
        forms=(recovery_code_forms.GenerateRecoveryCodesForm,),
    ),
    Entry(
        "mfa_add_webauthn",
        kind("member"),
        url("mfa_add_webauthn"),
        # The credential answers the challenge of the page the member
        # opened; without one it is refused (a real one is added in
        # tests/community/test_two_factor.py).
        lambda w, s: None,
        body(name=v("휴대폰"), credential=v("{}", "[]"), passwordless=v("on")),
        forms=(webauthn_forms.AddWebAuthnForm, PasskeyAddForm),
    ),
    Entry(
        "mfa_reauthenticate_webauthn",
        kind("outsider"),
        url("mfa_reauthenticate_webauthn"),
        lambda w, s: None,
        body(credential=v("{}", '{"id": "x"}')),
        forms=(webauthn_forms.ReauthenticateWebAuthnForm,),
    ),
    Entry(
        "mfa_login_webauthn",
        kind("anonymous"),
        url("mfa_login_webauthn"),
        lambda w, s: None,
        body(credential=v("{}", '{"response": {"userHandle": "MQ"}}')),
        forms=(webauthn_forms.LoginWebAuthnForm,),
    ),
    Entry(
        "mfa_edit_webauthn",
        kind("outsider"),
        url("mfa_edit_webauthn", lambda w, s: [w.extra["passkey"].pk]),
        lambda w, s: {"name": "회사 노트북"},
        body(name=v("회사 노트북")),
        forms=(webauthn_forms.EditWebAuthnForm, PasskeyRenameForm),
    ),
    Entry(
        "mfa_remove_webauthn",
        kind("outsider"),
        url("mfa_remove_webauthn", lambda w, s: [w.extra["passkey"].pk]),
        lambda w, s: {},
        body(),
        # allauth's DeleteView confirms with a form of no fields.
        forms=(forms.Form,),
    ),
    Entry(
        "two_factor_prompt_dismiss",
        kind("moderator"),
        url("two_factor_prompt_dismiss"),
        lambda w, s: {"next": "/"},
        body(next=v("/", "//evil.example/", "javascript:alert(1)")),
    ),
    Entry(
        "usersessions_list",
        kind("member"),
        url("usersessions_list"),
        lambda w, s: {},
        body(),
        forms=(ManageUserSessionsForm,),
    ),
    # --- Members -----------------------------------------------------------------
    Entry(
        "language_set",
        kind("member"),
        url("language_set"),
        lambda w, s: {"language": "en", "next": "/"},
        body(language=v("ko", "en", "xx"), next=v("/", "//evil.example/")),
    ),
    Entry(
        "profile_edit",
        kind("member"),
        url("profile_edit"),
        lambda w, s: {
            "real_name": "김철수",
            "nickname": "",
            "display_mode": "real_name",
            "role": "backend-development",
            "experience": w.member("member").experience,
            "company": "",
        },
        body(
            real_name=v("김철수"),
            nickname=v("멋진닉", "ab"),
            display_mode=v("real_name", "nickname"),
            role=v("backend-development"),
            experience=v("mid"),
            company=v("회사"),
            bio=v("B2B 마케터예요.\n반가워요."),
            show_company=v("on"),
        ),
        forms=(ProfileForm,),
    ),
    Entry(
        "avatar_edit",
        kind("member"),
        url("avatar_edit"),
        lambda w, s: {"picture": pictures.upload(pictures.jpeg_with_gps(), "me.jpg")},
        body(picture=picture_uploads, remove=v("on")),
        forms=(PictureForm,),
    ),
    Entry(
        "consent_renew",
        kind("member"),
        url("consent_renew"),
        lambda w, s: {"agree": "on", "next": "/"},
        body(agree=v("on"), agree_age=v("on"), next=v("/", "//evil.example/")),
        forms=(RequiredConsentForm,),
    ),
    Entry(
        "consent_settings",
        kind("member"),
        url("consent_settings"),
        lambda w, s: {"action": "withdraw"},
        body(action=v("give", "reconfirm", "withdraw")),
        forms=(MarketingConsentForm,),
    ),
    Entry(
        "notification_settings",
        kind("member"),
        url("notification_settings"),
        lambda w, s: {"digest": "daily", "reply__email": "on"},
        body(
            digest=v("weekly", "daily", "off"),
            reply__in_app=v("on"),
            reply__email=v("on"),
            gathering_new__email=v("on"),
            helpful__in_app=v("on"),
        ),
        forms=(NotificationSettingsForm,),
    ),
    # A device's push subscription, as form fields (the browser sends the
    # same as JSON: tests/community/test_push.py tries bad JSON).
    Entry(
        "push_subscribe",
        kind("member"),
        url("push_subscribe"),
        lambda w, s: push_subscription_body(),
        body(
            endpoint=v(
                "https://fcm.googleapis.com/fcm/send/device",
                "https://push.example/device",
                "http://fcm.googleapis.com/fcm/send/x",
                "https://169.254.169.254/latest",
                "https://fcm.googleapis.com/" + "a" * 1100,
                "javascript:alert(1)",
            ),
            p256dh=v(push_subscription_body()["p256dh"]),
            auth=v(push_subscription_body()["auth"]),
        ),
    ),
    Entry(
        "push_unsubscribe",
        kind("member"),
        url("push_unsubscribe"),
        lambda w, s: {"subscription": "1"},
        body(subscription=ids(), endpoint=v("https://push.example/device")),
    ),
    # RFC 8058: the mail client posts this body; any other is as good.
    Entry(
        "unsubscribe",
        kind("anonymous"),
        url(
            "unsubscribe",
            lambda w, s: [unsubscribe_token(w.member("member"), "gathering_new")],
        ),
        lambda w, s: {"List-Unsubscribe": "One-Click"},
        body(**{"List-Unsubscribe": v("One-Click")}),
    ),
    Entry(
        "work_email",
        kind("member"),
        url("work_email"),
        lambda w, s: {"email": "me@work-example.co.kr"},
        body(email=emails),
        forms=(WorkEmailForm,),
    ),
    Entry(
        "work_email_remove",
        kind("member"),
        url("work_email_remove"),
        lambda w, s: {},
        body(email=emails),
    ),
    # A confirmed request goes on to allauth's reauthentication (a redirect):
    # nothing is deleted before the member has confirmed it is them.
    Entry(
        "member_leave",
        kind("member"),
        url("member_leave"),
        lambda w, s: {"confirm": "on"},
        body(confirm=v("on", "", "false")),
        forms=(LeaveForm,),
    ),
    Entry(
        "work_email_confirm",
        kind("member"),
        url("work_email_confirm", lambda w, s: ["not-a-token"]),
        # An unknown token is refused with a message and status 400.
        lambda w, s: None,
        body(token=v()),
    ),
    Entry(
        "path_visibility",
        lambda w, s: w.extra["held_attendees"][1],
        url("path_visibility"),
        lambda w, s: {
            "kind": "attended",
            "object_id": str(w.held.pk),
            "visibility": "public",
        },
        body(
            kind=v("attended", "hosted", "helpful", "takeaway", "experience"),
            object_id=ids(
                lambda w, s: w.main.pk,
                lambda w, s: w.held.pk,
                lambda w, s: w.extra["experience"].pk,
            ),
            visibility=v("public", "members", "private"),
        ),
    ),
    Entry(
        "experience_create",
        kind("member"),
        url("experience_create"),
        lambda w, s: experience_body(),
        experience_fields,
        forms=(ExperienceForm,),
    ),
    Entry(
        "experience_edit",
        kind("member"),
        url("experience_edit", lambda w, s: [w.extra["experience"].pk]),
        lambda w, s: experience_body(),
        experience_fields,
        forms=(ExperienceForm,),
    ),
    Entry(
        "experience_delete",
        kind("member"),
        url("experience_delete", lambda w, s: [w.extra["experience"].pk]),
        lambda w, s: {},
        body(confirm=v("on")),
    ),
    Entry(
        "credential_issue",
        kind("moderator"),
        url("credential_issue", lambda w, s: ["hosted", s.survey_gathering.pk]),
        lambda w, s: {"include": ["date", "community"]},
        body(include=v("date", "community", "role")),
        forms=(CredentialIssueForm,),
    ),
    Entry(
        "credential_revoke",
        kind("moderator"),
        url("credential_revoke", lambda w, s: [w.extra["credential"].pk]),
        lambda w, s: {},
        body(),
    ),
    # Signed out, as anyone checking a credential: text pasted, a file, or
    # both; the credential altered, cut, padded or made up.
    Entry(
        "credential_verify",
        kind("anonymous"),
        url("credential_verify"),
        lambda w, s: {"credential": w.extra["credential"].token},
        lambda w, s: st.one_of(
            body(credential=v())(w, s),
            pasted_credentials(w.extra["credential"].token).map(
                lambda text: {"credential": text}
            ),
            pasted_credentials(w.extra["credential"].token).map(
                lambda text: {"file": text_upload(text)}
            ),
            st.just(
                {
                    "credential": w.extra["credential"].token,
                    "file": text_upload(w.extra["credential"].token),
                }
            ),
            st.binary(max_size=300).map(lambda data: {"file": text_upload(data)}),
        ),
        forms=(CredentialVerifyForm,),
    ),
    Entry(
        "notification_read",
        kind("member"),
        url("notification_read", lambda w, s: [w.notification.pk]),
        lambda w, s: {},
        body(next=v("/", "//evil.example/")),
    ),
    Entry(
        "notification_read_all",
        kind("member"),
        url("notification_read_all"),
        lambda w, s: {},
        body(next=v("/")),
    ),
    Entry(
        "calendar_feed",
        kind("member"),
        url("calendar_feed"),
        lambda w, s: {"action": "create"},
        body(action=v("create", "delete")),
    ),
    # --- A community -------------------------------------------------------------
    Entry(
        "community_join",
        kind("outsider"),
        url("community_join", slug_args),
        lambda w, s: {},
        body(next=v("/", "//evil.example/")),
    ),
    Entry(
        "community_leave",
        kind("member"),
        url("community_leave", slug_args),
        lambda w, s: {},
        body(next=v("/")),
    ),
    Entry(
        "thread_create",
        kind("member"),
        url("thread_create", lambda w, s: [w.community.slug, w.board.slug]),
        lambda w, s: {"title": "제목", "tag": "question", "body": "본문"},
        body(title=v("제목"), tag=v("question", "free"), body=v("본문")),
        forms=(ThreadForm,),
    ),
    Entry(
        "thread_edit",
        kind("member"),
        url("thread_edit", thread_args),
        lambda w, s: {"title": "고친 제목", "tag": "question", "body": "본문"},
        body(title=v("제목"), tag=v("question"), body=v("본문")),
        forms=(ThreadForm,),
    ),
    Entry(
        "thread_delete",
        kind("member"),
        url("thread_delete", thread_args),
        lambda w, s: {},
        body(reason=v()),
    ),
    Entry(
        "comment_create",
        kind("member"),
        url("comment_create", thread_args),
        lambda w, s: {"body": "댓글"},
        body(body=v("댓글"), parent=ids(lambda w, s: w.comment.pk)),
        forms=(CommentForm,),
    ),
    Entry(
        "compose_preview",
        kind("member"),
        url("compose_preview", slug_args),
        lambda w, s: {"body": "**증분 매출(홀드아웃 테스트)**로"},
        body(body=v("초안")),
        forms=(PreviewForm,),
    ),
    Entry(
        "comment_edit",
        kind("member"),
        url("comment_edit", comment_args),
        lambda w, s: {"body": "고친 댓글"},
        body(body=v("댓글"), parent=ids(lambda w, s: w.comment.pk)),
        forms=(CommentForm,),
    ),
    Entry(
        "comment_delete",
        kind("member"),
        url("comment_delete", comment_args),
        lambda w, s: {},
        body(reason=v()),
    ),
    Entry(
        "thread_react",
        kind("member"),
        url("thread_react", lambda w, s: [w.community.slug, w.thread.pk, "empathy"]),
        lambda w, s: {},
        body(kind=v("empathy"), next=v("/")),
    ),
    Entry(
        "comment_react",
        kind("member"),
        url("comment_react", lambda w, s: [w.community.slug]),
        lambda w, s: {"empathy": str(w.comment.pk)},
        body(
            empathy=ids(lambda w, s: w.comment.pk),
            helpful=ids(lambda w, s: w.comment.pk),
        ),
    ),
    Entry(
        "thread_bookmark",
        kind("member"),
        url("thread_bookmark", thread_args),
        lambda w, s: {},
        body(next=v("/")),
    ),
    *(
        Entry(
            name,
            kind("member"),
            url(name, args),
            lambda w, s: {"level": "watching", "next": "/me/notification-settings/"},
            body(
                level=v("watching", "tracking", "normal", "muted", "default"),
                next=v("/", "//evil.example/", "/me/notification-settings/#follows"),
            ),
            forms=(FollowForm,),
        )
        for name, args in (
            ("community_follow", slug_args),
            ("board_follow", lambda w, s: [w.community.slug, w.board.slug]),
            ("thread_follow", thread_args),
        )
    ),
    Entry(
        "thread_helpful",
        kind("member"),
        url("thread_helpful", thread_args),
        # Only on a question thread, which the world's is not.
        lambda w, s: None,
        body(comment=ids(lambda w, s: w.comment.pk)),
        forms=(HelpfulForm,),
    ),
    Entry(
        "report_create",
        kind("member"),
        url("report_create", slug_args),
        lambda w, s: {"thread": str(w.thread.pk), "reason": "스팸"},
        body(
            thread=ids(lambda w, s: w.thread.pk),
            comment=ids(lambda w, s: w.comment.pk),
            reason=v("스팸"),
            next=v("/", "//evil.example/"),
        ),
        forms=(ReportForm,),
    ),
    Entry(
        "moderation_action",
        kind("moderator"),
        url("moderation_action", slug_args),
        lambda w, s: {"action": "hide", "thread": str(w.thread.pk), "reason": "x"},
        body(
            action=v("hide", "restore", "dismiss"),
            thread=ids(lambda w, s: w.thread.pk),
            comment=ids(lambda w, s: w.comment.pk),
            report=ids(),
            reason=v(),
            next=v("/", "//evil.example/"),
        ),
        forms=(ModerationActionForm,),
    ),
    Entry(
        "sanctions",
        kind("moderator"),
        url("sanctions", slug_args),
        lambda w, s: {
            "member": w.member("member").public_id,
            "kind": "mute",
            "reason": "도배",
            "ends_at": "",
        },
        body(
            member=public_ids,
            kind=v("mute", "ban"),
            reason=v("도배"),
            ends_at=hostile.date_strings,
        ),
        forms=(SanctionForm,),
    ),
    Entry(
        "sanction_lift",
        kind("moderator"),
        url("sanction_lift", lambda w, s: [w.community.slug, w.sanction.pk]),
        lambda w, s: {},
        body(reason=v()),
    ),
    Entry(
        "member_role",
        kind("staff"),
        url("member_role", slug_args),
        lambda w, s: {"member": w.member("member").public_id, "role": "moderator"},
        body(member=public_ids, role=v("moderator", "member", "owner")),
        forms=(RoleForm,),
    ),
    Entry(
        "community_fairness",
        kind("staff"),
        url("community_fairness", slug_args),
        lambda w, s: {"overbooking": "on"},
        body(overbooking=v("on", "true", "")),
        forms=(FairnessOptionsForm,),
    ),
    # --- Gatherings: members' forms -------------------------------------------
    Entry(
        "gathering_apply",
        kind("member"),
        url("gathering_apply", lambda w, s: [w.community.slug, s.open_gathering.pk]),
        lambda w, s: {"motivation": "가고 싶어요"},
        body(motivation=v(), answer_0=v(), answer_1=v()),
        forms=(ApplicationForm,),
    ),
    Entry(
        "gathering_withdraw",
        kind("applicant"),
        url("gathering_withdraw", g_args("open")),
        lambda w, s: {},
        body(reason=v()),
    ),
    Entry(
        "offer_confirm",
        kind("waitlisted"),
        url("offer_confirm", g_args("main")),
        # Nothing is offered to the waitlisted member: refused, in words.
        lambda w, s: None,
        body(seat=v()),
    ),
    Entry(
        "offer_decline",
        kind("attendee"),
        url("offer_decline", g_args("main")),
        # A confirmed seat is no offer: refused, in words.
        lambda w, s: None,
        body(seat=v()),
    ),
    Entry(
        "survey_answer",
        lambda w, s: s.attendee,
        url("survey_answer", survey_args),
        lambda w, s: {"satisfaction": "4"},
        body(
            satisfaction=v("1", "5", "6"),
            useful=v(),
            again=v("yes", "no"),
        ),
        forms=(SurveyForm,),
    ),
    Entry(
        "takeaway_edit",
        lambda w, s: s.attendee,
        url("takeaway_edit", survey_args),
        lambda w, s: {"learned": "많이 배움", "visibility": "private"},
        body(
            learned=v("배움"),
            will_apply=v(),
            visibility=v("private", "members", "public"),
        ),
        forms=(TakeawayForm,),
    ),
    Entry(
        "followup_answer",
        lambda w, s: s.attendee,
        url("followup_answer", survey_args),
        lambda w, s: {"answer": "partly"},
        body(answer=v("applied", "partly", "not_yet"), note=v()),
        forms=(FollowUpForm,),
    ),
    # --- Gatherings: organisers' forms -----------------------------------------
    Entry(
        "gathering_create",
        kind("moderator"),
        url("gathering_create", slug_args),
        gathering_body,
        gathering_fields(gathering_body),
        forms=(GatheringForm,),
    ),
    Entry(
        "gathering_edit",
        kind("moderator"),
        url("gathering_edit", g_args("draft")),
        gathering_body,
        gathering_fields(gathering_body),
        forms=(GatheringForm,),
        label="a draft",
    ),
    Entry(
        "gathering_edit",
        kind("organiser"),
        url("gathering_edit", g_args("main")),
        # Applications have closed: the schedule is fixed, other fields not.
        lambda w, s: {**gathering_body_of(w.main), "title": "고친 제목"},
        gathering_fields(lambda w, s: gathering_body_of(w.main)),
        forms=(GatheringForm,),
        label="after the draw",
    ),
    Entry(
        "gathering_cover",
        kind("organiser"),
        url("gathering_cover", g_args("main")),
        lambda w, s: {"picture": pictures.upload(pictures.photo(), "cover.png")},
        body(picture=picture_uploads, remove=v("on")),
        forms=(PictureForm,),
    ),
    Entry(
        "gathering_publish",
        kind("moderator"),
        url("gathering_publish", g_args("draft")),
        lambda w, s: {},
        body(confirm=v()),
    ),
    Entry(
        "gathering_amend",
        kind("organiser"),
        url("gathering_amend", g_args("open")),
        lambda w, s: {
            "capacity": "4",
            "claim_window_hours": "24",
            "offer_cutoff_hours": "2",
            "reason": "자리를 늘려요",
        },
        body(
            capacity=v("4"),
            company_cap=v("1"),
            claim_window_hours=v("24"),
            offer_cutoff_hours=v("2"),
            reason=v("사정"),
        ),
        forms=(AmendForm,),
    ),
    Entry(
        "gathering_repeat",
        kind("moderator"),
        url("gathering_repeat", g_args("main")),
        lambda w, s: {
            name: seoul(getattr(w.main, name) + timedelta(weeks=1))
            for name in DATETIME_FIELDS
        },
        body(
            starts_at=v(),
            ends_at=v(),
            applications_open_at=v(),
            applications_close_at=v(),
        ),
        forms=(RepeatForm,),
    ),
    Entry(
        "gathering_series",
        kind("moderator"),
        url("gathering_series", g_args("open")),
        lambda w, s: {"rule": "weekly", "count": "3", "publish": "on"},
        body(
            rule=v("weekly", "biweekly", "monthly"),
            count=hostile.number_strings,
            until=v("2027-01-01"),
            publish=v("on"),
        ),
        forms=(SeriesForm,),
    ),
    Entry(
        "gathering_cancel",
        kind("organiser"),
        url("gathering_cancel", g_args("main")),
        lambda w, s: {"reason": "사정이 생겼어요"},
        body(reason=v("사정")),
        forms=(CancelForm,),
    ),
    Entry(
        "gathering_draw",
        kind("organiser"),
        url("gathering_draw", g_args("main")),
        # Drawn already: refused, in words.
        lambda w, s: None,
        body(seed=v()),
    ),
    Entry(
        "gathering_join_revoke",
        kind("organiser"),
        url("gathering_join_revoke", g_args("main")),
        lambda w, s: {"application": str(attendee_application(w, s))},
        body(application=ids(attendee_application, other_application)),
    ),
    Entry(
        "gathering_checkin",
        kind("organiser"),
        url("gathering_checkin", g_args("main")),
        lambda w, s: {f"attended-{attendee_application(w, s)}": "attended"},
        lambda w, s: body(
            **{
                f"attended-{attendee_application(w, s)}": v("attended", "no_show"),
                f"attended-{other_application(w, s)}": v("attended"),
                "attended-x": v(),
            }
        )(w, s),
        forms=(CheckinForm,),
    ),
    Entry(
        "gathering_checkin_scan",
        kind("organiser"),
        url("gathering_checkin_scan", g_args("main")),
        lambda w, s: {"value": attendee_codes(w, s)[1]},
        lambda w, s: body(value=v(*attendee_codes(w, s)))(w, s),
        forms=(CheckinScanForm,),
    ),
    Entry(
        "gathering_checkin_venue",
        kind("organiser"),
        url("gathering_checkin_venue", g_args("main")),
        # The main gathering is online: no venue, no self check-in, in words.
        lambda w, s: None,
        body(action=v("on", "off", "new_code")),
        forms=(SelfCheckinSettingsForm,),
    ),
    Entry(
        "gathering_self_checkin",
        kind("attendee"),
        url("gathering_self_checkin", g_args("main")),
        # The main gathering is online: no venue code to type, in words.
        lambda w, s: None,
        body(code=v("ABCDEF")),
        forms=(SelfCheckinForm,),
    ),
    Entry(
        "gathering_messages",
        kind("organiser"),
        url("gathering_messages", g_args("main")),
        lambda w, s: {
            "segment": "waitlisted",
            "subject": "안내",
            "body": "자리가 나면 알려드려요",
            "when": "now",
        },
        body(
            segment=v("all", "waitlisted", "confirmed", "attended", "no_show"),
            subject=v("안내", MARKER_LINK),
            body=v("본문", f"[링크]({MARKER_LINK})", "zoom.example/j/MARKER%2D123"),
            when=v("now", "later"),
            send_at=hostile.date_strings,
        ),
        forms=(MessageForm,),
    ),
    Entry(
        "gathering_message_cancel",
        kind("organiser"),
        lambda w, s: reverse(
            "gathering_message_cancel",
            args=[w.community.slug, w.main.pk, w.extra["scheduled_message"].pk],
        ),
        lambda w, s: {},
        body(confirm=v()),
    ),
    Entry(
        "survey_edit",
        kind("organiser"),
        url("survey_edit", g_args("main")),
        lambda w, s: {"action": "add", "kind": "text", "label": "한 마디"},
        body(
            action=v("settings", "add", "remove"),
            min_responses=v("3", "100"),
            duration_days=v("7", "30"),
            kind=v("rating", "choice", "text"),
            label=v("질문"),
            choices=v("하나\n둘"),
            key=v("satisfaction", "q1"),
        ),
        forms=(SurveySettingsForm, SurveyQuestionForm),
    ),
    # --- The admin's one form of ours ------------------------------------------
    Entry(
        "admin:events_survey_change",
        lambda w, s: s.superuser,
        lambda w, s: reverse(
            "admin:events_survey_change",
            args=[Survey.objects.get(gathering=s.survey_gathering).pk],
        ),
        lambda w, s: {
            "min_responses": "5",
            "duration_0": "7",
            "duration": "7 00:00:00",
            "questions": "[]",
        },
        body(min_responses=v("5"), duration=v("7 00:00:00"), questions=v("[]")),
        forms=(SurveyAdminForm,),
    ),
]


# Views that accept a POST but read nothing from its body: they show their
# page as for a GET. Each is still posted hostile bodies (test below).
IGNORES_BODY = {
    # The member asked for their data already today: refused in words.
    "data_export": kind("member"),
    "favicon.ico": kind("member"),
    "home": kind("member"),
    "search": kind("member"),
    "community_search": kind("member"),
    "member_detail": kind("member"),
    "account_inactive": kind("anonymous"),
    "account_email_verification_sent": kind("anonymous"),
    "account_reset_password_done": kind("anonymous"),
    "account_reset_password_from_key_done": kind("anonymous"),
    # A provider's callback reads its query string, and refuses without a
    # sign-in this browser started; the old addresses only redirect.
    "kakao_callback": kind("anonymous"),
    "naver_callback": kind("anonymous"),
    "google_callback": kind("anonymous"),
    **{
        f"accounts/social/{old}/": kind("anonymous")
        for old in ("login/cancelled", "login/error", "signup", "connections")
    },
    "community_detail": kind("member"),
    "board_detail": kind("member"),
    "thread_detail": kind("member"),
    "bookmark_list": kind("member"),
    "notification_list": kind("member"),
    "moderation_queue": kind("moderator"),
    "audit_log": kind("moderator"),
    "gathering_manage": kind("organiser"),
    # The open gathering repeats in no series: told so, nothing changes.
    "gathering_series_stop": kind("organiser"),
}


# --- The checks ----------------------------------------------------------------


@pytest.fixture(scope="module")
def stage(world, django_db_blocker):
    """What the world lacks, added in a savepoint rolled back at the end;
    and every time-driven step of the world's gatherings taken now, so that
    no request below finds one due (a reminder sent while a request is
    refused is not the refused request's doing)."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            opened = gathering_open(
                community=world.community, organiser=world.member("moderator")
            )
            m.shift_to_now(opened, starts_in=timedelta(days=5))
            held, attendees = gathering_held(
                attendees=3,
                community=world.community,
                organiser=world.member("moderator"),
            )
            # Ended an hour ago: its survey is open by the wall clock.
            delta = held.ends_at - (timezone.now() - timedelta(hours=1))
            Survey.objects.filter(gathering=held).update(
                opens_at=F("opens_at") - delta, closes_at=F("closes_at") - delta
            )
            held = m.shift_to_now(held, starts_in=held.starts_at - held.ends_at)
            superuser = member_create(is_staff=True, is_superuser=True)
            two_factor_add(superuser)
            for gathering in Gathering.objects.all():
                gathering_advance_if_due(gathering)
            # The attendee kept a takeaway and was asked the follow-up now.
            from events.services.followups import followup_round_ask
            from events.services.path import takeaway_save

            takeaway_save(member=attendees[0], gathering=held, learned="배운 점")
            followup_round_ask(gathering_id=held.pk, now=timezone.now())
        yield Stage(
            open_gathering=Gathering.objects.get(pk=opened.pk),
            survey_gathering=held,
            attendee=attendees[0],
            superuser=superuser,
        )
        transaction.set_rollback(True)


def _forms_in(response) -> list[forms.BaseForm]:
    found = []
    contexts = response.context or []
    if hasattr(contexts, "flatten"):  # one template rendered
        contexts = [contexts]
    for context in contexts:
        for item in context.flatten().values():
            if isinstance(item, forms.BaseForm) and item not in found:
                found.append(item)
    return found


def _difference(before, after) -> list:
    counts = [(b, a) for b, a in zip(before[0], after[0], strict=True) if b != a]
    states = [
        (index, set(b) ^ set(a))
        for index, (b, a) in enumerate(zip(before[1], after[1], strict=True))
        if b != a
    ]
    return counts + states


def _refusals_in(response) -> list[str]:
    """The words of a refusal page: its ``error`` (community/forbidden.html,
    events/survey_refused.html) or ``exception`` (403.html shows it; 404.html
    does not)."""
    names = ("error", "exception") if response.status_code == 403 else ("error",)
    found = []
    contexts = response.context or []
    if hasattr(contexts, "flatten"):
        contexts = [contexts]
    for context in contexts:
        flat = context.flatten()
        for name in names:
            error = flat.get(name)
            if error:
                found.append(str(getattr(error, "message", error)))
    return found


def _sent_values(data: dict) -> list[str]:
    sent = []
    for value in data.values():
        sent += value if isinstance(value, list) else [value]
    return [str(s) for s in sent]


@dataclass
class Answer:
    status: int
    refused: bool
    changed: bool
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    difference: list = field(default_factory=list)


def post(
    world, stage, who, target: str, data: dict, language: str | None, session=None
) -> Answer:
    """``data`` posted to ``target`` in a savepoint rolled back afterwards;
    what came back, and whether a refusal changed anything."""
    member = who(world, stage)
    client = Client(HTTP_ACCEPT_LANGUAGE=language) if language else Client()
    language = language or "ko"
    if member is not None:
        client_sign_in(client, member)
    if session is not None:
        stored = client.session
        stored.update(session(world, stage))
        stored.save()
    with transaction.atomic():
        before = m.fingerprint(LABELS)
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(target, data)
        after = m.fingerprint(LABELS)
        transaction.set_rollback(True)
    errors = [
        str(error)
        for form in _forms_in(response)
        if form.is_bound
        for error in itertools.chain.from_iterable(form.errors.values())
    ]
    errors += _refusals_in(response)
    errors += [
        str(message)
        for message in messages.get_messages(response.wsgi_request)
        if message.level >= messages.WARNING
    ]
    status = response.status_code
    refused = status >= 400 or bool(errors)
    echoed = _sent_values(data)
    problems = [
        problem
        for error in errors
        if (problem := hostile.message_problem(error, language, echoed))
    ]
    if status >= 500:
        problems.append(f"status {status}")
    if status == 400 and not errors and not response.content.strip():
        problems.append("a bare 400, without a word")
    changed = refused and before != after
    difference = _difference(before, after) if changed else []
    return Answer(status, refused, changed, problems, errors, difference)


@pytest.mark.django_db
@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_the_valid_body_is_accepted(world, stage, entry):
    """The fuzz reaches the form: the valid body passes the permission
    checks and is accepted (None: refused on purpose, as its comment says,
    with a message)."""
    data = entry.valid(world, stage)
    target = entry.url(world, stage)
    answer = post(
        world, stage, entry.who, target, data or {}, "ko", session=entry.session
    )
    assert not answer.problems, answer
    if data is None:
        assert answer.refused and not answer.changed, answer
    else:
        assert not answer.refused, answer


@pytest.mark.django_db
@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_hostile_bodies_are_refused_in_words(world, stage, entry):
    target = entry.url(world, stage)

    @hostile.fuzz_settings(4)
    @given(data=entry.fields(world, stage), language=LANGUAGES)
    def attempt(data, language):
        answer = post(
            world, stage, entry.who, target, data, language, session=entry.session
        )
        assert not answer.problems, (answer, data)
        assert not answer.changed, ("a refused request stored something", data)

    attempt()


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(IGNORES_BODY))
def test_views_that_read_no_body_ignore_a_hostile_one(world, stage, key):
    row = next(row for row in m.ROWS if row.key == key)
    target = row.path(world) if row.path else reverse(key, args=row.args(world))
    who = IGNORES_BODY[key]

    @hostile.fuzz_settings(2)
    @given(
        data=body(q=v(), page=hostile.number_strings)(world, stage), language=LANGUAGES
    )
    def attempt(data, language):
        answer = post(world, stage, who, target, data, language)
        assert not answer.problems, (answer, data)
        assert not answer.changed, data

    attempt()


# --- Completeness ---------------------------------------------------------------

PROJECT = ("community", "events", "realtime", "config")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _exposed_forms() -> set[type]:
    """The project's form classes, and the form of every allauth view the
    site routes to (as ACCOUNT_FORMS and MFA_FORMS resolve it)."""
    import community.forms
    import community.forms_forum
    import community.forms_mfa
    import community.forms_moderation
    import community.forms_notifications  # noqa: F401
    import events.admin
    import events.forms
    import events.forms_credentials
    import events.forms_messages
    import events.forms_organise
    import events.forms_repeat  # noqa: F401

    found = {
        cls
        for cls in _subclasses(forms.BaseForm)
        if cls.__module__.split(".")[0] in PROJECT
    }
    for row in m.ROWS:
        if row.key.startswith(("account_", "mfa_", "usersessions_")):
            try:
                args = row.args(None)
            except AttributeError:  # an object of the world: any id resolves
                args = [1]
            view = resolve(reverse(row.key, args=args)).func
            form_class = getattr(getattr(view, "view_class", None), "form_class", None)
            if form_class is not None:
                found.add(form_class)
    return found


def test_every_form_has_a_fuzz_entry():
    covered = {form for entry in ENTRIES for form in entry.forms}
    missing = sorted(cls.__qualname__ for cls in _exposed_forms() - covered)
    assert not missing, f"form classes with no fuzz entry: {missing}"


@pytest.mark.django_db
def test_every_view_that_takes_a_post_has_a_fuzz_entry(world, stage):
    """Every URL of the access matrix either has an entry, reads no body
    (IGNORES_BODY), or refuses a POST (405)."""
    covered = {entry.key for entry in ENTRIES} | set(IGNORES_BODY)
    untried = []
    for row in m.ROWS:
        if row.key in covered or row.key.startswith("admin"):
            continue
        kinds = [k for k, outcome in row.expect.items() if outcome == m.ALLOWED]
        client = m.client_for(world, kinds[0] if kinds else "staff")
        path = row.path(world) if row.path else reverse(row.key, args=row.args(world))
        with transaction.atomic():
            status = client.post(path, {}).status_code
            transaction.set_rollback(True)
        if status != 405:
            untried.append(f"{row.key} ({status})")
    assert not untried, f"views that take a POST with no fuzz entry: {untried}"


# --- Hostile URL parts ------------------------------------------------------------


def _routes() -> list[tuple[str, str]]:
    """(URL name, route) of every named pattern of ours whose route takes a
    string or a number (the admin is Django's)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace != "admin":
                    yield from walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                route = prefix + str(entry.pattern)
                if re.search(r"<(?!slug:)\w+:|\(\?P<", route):
                    yield entry.name, route

    return sorted(set(walk(get_resolver())))


ROUTES = _routes()
_PART = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _hostile_path(route: str, valid: list, values: dict) -> str:
    """``route`` with each of its parts hostile (numbers and strings) or,
    for a slug, the valid value: a slug's converter lets nothing else in."""
    parts = iter(valid)

    def fill(match):
        kind, name = match[1] or "re", match[2] or match[3]
        given_value = next(parts, "x")
        if kind == "slug":
            return str(given_value)
        return quote(values[name], safe="")

    return "/" + _PART.sub(fill, route.lstrip("^").rstrip("$"))


@pytest.mark.django_db
@pytest.mark.parametrize("name, route", ROUTES, ids=[name for name, _ in ROUTES])
def test_hostile_url_parts_are_no_server_error(world, stage, name, route):
    """Numbers past any column's range, other scripts' digits, NUL (which
    PostgreSQL refuses in text) and long text in every id, key or token of
    a URL: answered (404, most often), never a server error."""
    row = next(row for row in m.ROWS if row.key == name)
    kinds = [k for k, outcome in row.expect.items() if outcome != m.LOGIN]
    client = m.client_for(world, kinds[0] if kinds else "member")
    names = [match[2] or match[3] for match in _PART.finditer(route)]
    hostile_part = st.one_of(
        hostile.number_strings, hostile.text.filter(bool), st.just("\x00")
    )

    @hostile.fuzz_settings(4)
    @given(values=st.fixed_dictionaries(dict.fromkeys(names, hostile_part)))
    def attempt(values):
        path = _hostile_path(route, row.args(world), values)
        with transaction.atomic():
            response = getattr(client, row.method)(path)
            transaction.set_rollback(True)
        assert response.status_code < 500, (path, response.status_code)

    attempt()

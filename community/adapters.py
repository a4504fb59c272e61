from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from community.mail import mail_enqueue
from community.services.push import subscriptions_end_with_session
from community.usersessions import session_mark_tracked
from realtime.broadcast import member_sockets_close, session_sockets_close

# The address a visitor last asked a confirmation link for (at sign-up, at a
# sign-in before confirming, or by the resend button), kept in their session
# to fill in the resend form of the "check your mail" page.
VERIFICATION_EMAIL = "moim_verification_email"
# The mails that answer a request for a confirmation link.
CONFIRMATION_MAILS = {
    "account/email/email_confirmation_signup",
    "account/email/email_confirmation",
    "account/email/account_already_exists",
}


@dataclass
class MailSite:
    """What allauth's mail templates call ``current_site``: the product's
    translated name rather than a bare host name."""

    request: HttpRequest

    @property
    def name(self) -> str:
        return gettext("Moim")

    @property
    def domain(self) -> str:
        return self.request.get_host()


class AccountAdapter(DefaultAccountAdapter):
    """allauth's hooks, adapted to Moim.

    A new member gets the real name from the sign-up form and the language
    the site was shown in, so later emails reach them in that language. Every
    account email is rendered in the request, signed with the product's
    translated name, and queued through the task queue like all of Moim's
    mail. After signing in, a member whose profile
    still lacks a job role is sent to complete it before anything else.
    Signing out and changing or resetting the password close the member's
    open chat sockets: a session that ended must not keep listening.
    """

    def login(self, request, user):
        super().login(request, user)
        session_mark_tracked(request=request)

    def logout(self, request):
        member_id = request.user.pk if request.user.is_authenticated else None
        super().logout(request)
        if member_id is not None:
            member_sockets_close(member_id=member_id)

    def set_password(self, user, password):
        super().set_password(user, password)
        member_sockets_close(member_id=user.pk)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.real_name = form.cleaned_data["real_name"]
        user.language = translation.get_language() or "ko"
        if commit:
            user.save()
        return user

    def format_email_subject(self, subject):
        return f"[{gettext('Moim')}] {subject}"

    def send_mail(self, template_prefix, email, context):
        session = getattr(self.request, "session", None)
        if template_prefix in CONFIRMATION_MAILS and session is not None:
            # What the "check your mail" page fills its resend form with:
            # the address this visitor typed, whatever mail it got.
            session[VERIFICATION_EMAIL] = email
        ctx = {
            "request": self.request,
            "email": email,
            "current_site": MailSite(self.request),
        }
        ctx.update(context)
        mail_enqueue(self.render_mail(template_prefix, email, ctx))

    def get_login_redirect_url(self, request):
        user = request.user
        if user.is_authenticated and user.needs_onboarding:
            return reverse("profile_edit") + "?welcome=1"
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        # Confirming the sign-up email signs the new member in through this
        # hook, not get_login_redirect_url, and a new member has no role yet.
        return self.get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    """allauth.mfa's hooks, adapted to Moim.

    A passkey is bound to the site's domain, its WebAuthn relying-party id:
    here the host of ``SITE_URL`` (``MFA_WEBAUTHN_RP_ID``), never the Host
    header of the request, which a client chooses. Authenticator apps and
    passkey prompts show the product's name rather than a host name.
    """

    def _get_site_name(self) -> str:
        return gettext("Moim")

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        return {"id": settings.MFA_WEBAUTHN_RP_ID, "name": gettext("Moim")}


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    """allauth.usersessions' hooks, adapted to Moim.

    A member who signs out their other devices ends those sessions; the chat
    and notification sockets those devices opened were authenticated by the
    same sessions, so they are closed too, after the change commits
    (realtime.broadcast.session_sockets_close).
    """

    def end_sessions(self, sessions) -> None:
        for session in sessions:
            session_key = session.session_key
            session.end()
            session_sockets_close(session_key=session_key)
            subscriptions_end_with_session(session_key=session_key)


def on_logged_out(sender, request, user, **kwargs) -> None:
    """``user_logged_out`` (sent before the session is flushed): the devices
    this session turned on stop receiving the member's pushes."""
    session = getattr(request, "session", None)
    if session is not None:
        subscriptions_end_with_session(session_key=session.session_key)

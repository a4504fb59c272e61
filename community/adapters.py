from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from community.mail import mail_enqueue
from realtime.broadcast import member_sockets_close


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

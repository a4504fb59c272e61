from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from community.social.endpoints import provider_settings

# Kakao first: most Korean members have an account there.
PROVIDER_ORDER = ("kakao", "naver", "google")


def provider_enabled(provider_id: str) -> bool:
    """Whether the provider is switched on (its client id and secret set)."""
    return "APP" in provider_settings(provider_id)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """allauth's social sign-in hooks, adapted to Moim.

    Providers are configured only through settings (the environment), so the
    database's SocialApp table is not read. A provider that is not switched
    on does not exist: its pages answer 404. Nobody is signed up without the
    sign-up form (real name, then the welcome page for the job role): there
    is no automatic sign-up, and nobody is signed in or connected by an
    email address that matches an account (settings: no email
    authentication, no auto-connect), only by a provider account connected
    while signed in. A provider may be disconnected only while another way
    in remains: a password, or another provider that is still switched on.
    """

    error_messages = {
        **DefaultSocialAccountAdapter.error_messages,
        "no_password": _(
            "Set a password first: otherwise you could no longer sign in."
        ),
        "no_verified_email": _(
            "Verify an email address first: otherwise you could not reset "
            "your password."
        ),
    }

    def list_apps(self, request, provider=None, client_id=None):
        apps = []
        for provider_id, config in settings.SOCIALACCOUNT_PROVIDERS.items():
            app = config.get("APP")
            if not app or (provider and provider != provider_id):
                continue
            if client_id and app.get("client_id") != client_id:
                continue
            apps.append(
                SocialApp(
                    provider=provider_id,
                    name=app.get("name", ""),
                    client_id=app["client_id"],
                    secret=app.get("secret", ""),
                    settings=app.get("settings", {}),
                )
            )
        return apps

    def list_providers(self, request):
        providers = super().list_providers(request)
        order = {provider_id: n for n, provider_id in enumerate(PROVIDER_ORDER)}
        return sorted(providers, key=lambda p: order.get(p.id, len(order)))

    def get_provider(self, request, provider, client_id=None):
        try:
            return super().get_provider(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist as exc:
            raise Http404 from exc

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False

    def get_signup_form_initial_data(self, sociallogin) -> dict:
        initial = super().get_signup_form_initial_data(sociallogin)
        name = getattr(sociallogin.provider, "signup_real_name", None)
        if name is not None:
            initial["real_name"] = name(sociallogin.account.extra_data or {})[:50]
        return initial

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        # A new member goes to the welcome page (the job role) first, as
        # after an email sign-up, not to the page the sign-in started from.
        if user.needs_onboarding:
            sociallogin.state.pop("next", None)
        return user

    def validate_disconnect(self, account, accounts) -> None:
        if account.user.has_usable_password():
            return
        others = [
            other
            for other in accounts
            if other.pk != account.pk and provider_enabled(other.provider)
        ]
        if not others:
            raise self.validation_error("no_password")

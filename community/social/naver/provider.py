from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.naver.provider import (
    NaverProvider as AllauthNaverProvider,
)
from django.utils.translation import gettext_lazy

from community.social.naver.views import NaverAdapter


class NaverProvider(AllauthNaverProvider):
    """Naver, its endpoints from settings. Naver's profile gives an address
    without saying whether anyone confirmed it (it may be any contact address
    the member typed in), where allauth takes it as verified: here it is not,
    so Moim mails it a confirmation link before the account opens."""

    name = gettext_lazy("Naver")
    oauth2_adapter_class = NaverAdapter

    def extract_email_addresses(self, data):
        email = data.get("email")
        if not email:
            return []
        return [EmailAddress(email=email, verified=False, primary=True)]

    def signup_real_name(self, data: dict) -> str:
        return data.get("name") or ""

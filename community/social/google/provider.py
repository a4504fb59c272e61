from allauth.socialaccount.providers.google.provider import (
    GoogleProvider as AllauthGoogleProvider,
)
from django.utils.translation import gettext_lazy

from community.social.google.views import GoogleAdapter


class GoogleProvider(AllauthGoogleProvider):
    """Google, its endpoints from settings; the ID token's ``email_verified``
    says whether the address is verified. Sign-in by a posted ID token
    (Google One Tap) is not offered: its page loads Google's script."""

    name = gettext_lazy("Google")
    oauth2_adapter_class = GoogleAdapter

    def signup_real_name(self, data: dict) -> str:
        return data.get("name") or ""

from allauth.socialaccount.providers.kakao.provider import (
    KakaoProvider as AllauthKakaoProvider,
)
from django.utils.translation import gettext_lazy

from community.social.kakao.views import KakaoAdapter


class KakaoProvider(AllauthKakaoProvider):
    """Kakao, its endpoints from settings. Kakao says whether the address
    is verified (``kakao_account.is_email_verified``); allauth reads it."""

    name = gettext_lazy("Kakao")
    oauth2_adapter_class = KakaoAdapter

    def signup_real_name(self, data: dict) -> str:
        # A profile's nickname is not a name; only a business app gets the
        # account's real name.
        return (data.get("kakao_account") or {}).get("name") or ""

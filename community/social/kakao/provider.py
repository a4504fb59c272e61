from allauth.socialaccount.providers.kakao.provider import (
    KakaoProvider as AllauthKakaoProvider,
)
from django.utils.translation import gettext_lazy

from community.social.kakao.views import KakaoAdapter


class KakaoProvider(AllauthKakaoProvider):
    """Kakao, its endpoints from settings. An address is verified only if
    Kakao says it is both verified and still valid
    (``kakao_account.is_email_verified`` and ``is_email_valid``): an address
    another Kakao account has since taken stays verified but not valid, and
    allauth reads only the first."""

    name = gettext_lazy("Kakao")
    oauth2_adapter_class = KakaoAdapter

    def extract_email_addresses(self, data: dict) -> list:
        addresses = super().extract_email_addresses(data)
        valid = (data.get("kakao_account") or {}).get("is_email_valid")
        for address in addresses:
            address.verified = address.verified and valid is True
        return addresses

    def signup_real_name(self, data: dict) -> str:
        # A profile's nickname is not a name; only a business app gets the
        # account's real name.
        return (data.get("kakao_account") or {}).get("name") or ""

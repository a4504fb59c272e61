from allauth.socialaccount.providers.naver.views import NaverOAuth2Adapter
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2CallbackView,
    OAuth2LoginView,
)

from community.social.endpoints import endpoint

_real = NaverOAuth2Adapter


class NaverAdapter(NaverOAuth2Adapter):
    """allauth's Naver client, its three endpoints from settings."""

    authorize_url = endpoint("AUTHORIZE_URL", _real.authorize_url)
    access_token_url = endpoint("ACCESS_TOKEN_URL", _real.access_token_url)
    profile_url = endpoint("PROFILE_URL", _real.profile_url)


oauth2_login = OAuth2LoginView.adapter_view(NaverAdapter)
oauth2_callback = OAuth2CallbackView.adapter_view(NaverAdapter)

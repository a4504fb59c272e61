from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.google import views as allauth_google
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2CallbackView,
    OAuth2LoginView,
)

from community.social.endpoints import endpoint


class GoogleAdapter(allauth_google.GoogleOAuth2Adapter):
    """Google's OpenID Connect code flow. allauth decodes the ID token with
    an issuer and a key address fixed when its module is imported; here they
    come from settings too."""

    authorize_url = endpoint("AUTHORIZE_URL", allauth_google.AUTHORIZE_URL)
    access_token_url = endpoint("ACCESS_TOKEN_URL", allauth_google.ACCESS_TOKEN_URL)
    identity_url = endpoint("IDENTITY_URL", allauth_google.IDENTITY_URL)
    certs_url = endpoint("CERTS_URL", allauth_google.CERTS_URL)
    id_token_issuer = endpoint("ID_TOKEN_ISSUER", allauth_google.ID_TOKEN_ISSUER)

    def _decode_id_token(self, app, id_token):
        # The token came straight from the token endpoint over the back
        # channel, so its signature need not be checked (OpenID Connect Core
        # 3.1.3.7); issuer, audience and expiry always are.
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.certs_url,
            issuer=self.id_token_issuer,
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_pem_x509_certificate,
            verify_signature=not self.did_fetch_access_token,
        )


oauth2_login = OAuth2LoginView.adapter_view(GoogleAdapter)
oauth2_callback = OAuth2CallbackView.adapter_view(GoogleAdapter)

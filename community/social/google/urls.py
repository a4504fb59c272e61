from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from community.social.google.provider import GoogleProvider

urlpatterns = default_urlpatterns(GoogleProvider)

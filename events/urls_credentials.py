"""Credentials: the site's published keys and status list, the public
verification page, and a member's own credentials."""

from django.urls import path

from events.views import credentials

urlpatterns = [
    path(".well-known/jwks.json", credentials.credential_keys, name="credential_keys"),
    path(
        "credentials/status/",
        credentials.credential_status_list,
        name="credential_status_list",
    ),
    path(
        "credentials/verify/", credentials.credential_verify, name="credential_verify"
    ),
    path(
        "me/credentials/new/<slug:kind>/<int:object_id>/",
        credentials.credential_issue,
        name="credential_issue",
    ),
    path(
        "me/credentials/<uuid:credential_id>.jwt",
        credentials.credential_download,
        name="credential_download",
    ),
    path(
        "me/credentials/<uuid:credential_id>/revoke/",
        credentials.credential_revoke,
        name="credential_revoke",
    ),
]

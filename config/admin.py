"""Django's admin, with allauth's sign-in as its only door.

The admin's own sign-in form authenticates outside allauth, so it had
neither the per-account limit on failed attempts nor the closing of a
member's sockets on a password change (SECURITY.md, "Every door"). Here its
sign-in page sends visitors to allauth's, which comes back to the admin
afterwards; its password change and sign-out are allauth's too, so that
they close the member's sockets (community.adapters).

Staff reach the admin only with a second factor: an authenticator (app or
passkey) on the account, used to sign in to this session. A staff member
without one is sent to set one up, and one who signed in by password alone
(for instance before adding it) is asked for it again.
"""

from urllib.parse import quote

from allauth.account.adapter import get_adapter
from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext


def session_passed_two_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in (or a later re-authentication) used
    one of the member's authenticators: allauth records every way the
    session proved who it is."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


class MoimAdminSite(admin.AdminSite):
    """The admin site: staff sign in through allauth.

    A visitor opening the admin's sign-in page is sent to allauth's with the
    admin page as ``next``; staff already signed in go on to that page; a
    member who is signed in but not staff is refused, since allauth's page
    would send them straight back (it redirects anyone already signed in).
    The admin's password change and sign-out are allauth's too (the
    sign-out, like Django's, only by POST). Nothing here checks a password.
    Staff without two-factor are sent to set it up; with it, but not used in
    this session, to allauth's re-authentication by code or passkey.
    """

    def has_permission(self, request: HttpRequest) -> bool:
        return (
            super().has_permission(request)
            and get_mfa_adapter().is_mfa_enabled(request.user)
            and session_passed_two_factor(request)
        )

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        ):
            next_url = index
        if self.has_permission(request):
            return redirect(next_url)
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            if not get_mfa_adapter().is_mfa_enabled(user):
                messages.warning(
                    request,
                    gettext(
                        "The admin opens only with two-factor authentication. "
                        "Add an authenticator app or a passkey first."
                    ),
                )
                return redirect("mfa_index")
            reauthenticate = reverse("mfa_reauthenticate")
            return redirect(f"{reauthenticate}?{REDIRECT_FIELD_NAME}={quote(next_url)}")
        if user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(next_url, login_url=reverse("account_login"))

    def password_change(self, request: HttpRequest, extra_context=None):
        return redirect("account_change_password")

    def logout(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        get_adapter(request).logout(request)
        return redirect(settings.LOGOUT_REDIRECT_URL)

"""Credentials (docs/path.md): a member issues one for an item of their path,
downloads and revokes their own; anyone reads the site's keys and status
list and checks a credential on the verification page, signed in or not."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from events import credentials
from events.credentials import CredentialInvalid
from events.errors import EventsError
from events.forms_credentials import CredentialIssueForm, CredentialVerifyForm
from events.models import CredentialKind
from events.selectors import credentials as selectors
from events.services import credentials as services

# A request to the verification page larger than this is refused unread:
# a credential and its form fit in a tenth of it.
VERIFY_REQUEST_LIMIT = 64 * 1024


def _content_length(request: HttpRequest) -> int:
    """The request's declared size; one that says nothing readable counts
    as too large."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return VERIFY_REQUEST_LIMIT + 1


def _public(response: HttpResponse, max_age: int) -> HttpResponse:
    """Open to verifiers in any browser (no cookie is read or set)."""
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_safe
def credential_keys(request: HttpRequest) -> HttpResponse:
    """The site's public keys as a JWK set: every key that signed a
    credential still valid (docs/path.md, "Keys")."""
    response = HttpResponse(
        json.dumps(credentials.site_keys().public, indent=2),
        content_type="application/jwk-set+json",
    )
    return _public(response, 3600)


@require_safe
def credential_status_list(request: HttpRequest) -> HttpResponse:
    """The revocation status list, as a signed BitstringStatusListCredential."""
    response = HttpResponse(
        selectors.status_list_token(), content_type="application/vc+jwt"
    )
    return _public(response, credentials.STATUS_LIST_MAX_AGE)


@require_http_methods(["GET", "HEAD", "POST"])
def credential_verify(request: HttpRequest) -> HttpResponse:
    """Paste or upload a credential; the page says who issued it, to whom,
    what, when, and whether it was revoked, or why it does not check out."""
    result, problem, status = None, None, 200
    if request.method == "POST":
        if _content_length(request) > VERIFY_REQUEST_LIMIT:
            form = CredentialVerifyForm()
            problem, status = EventsError("credential_too_large").message, 400
        else:
            form = CredentialVerifyForm(request.POST, request.FILES)
            if not form.is_valid():
                status = 400
            else:
                try:
                    result = selectors.credential_check(raw=form.cleaned_data["raw"])
                except CredentialInvalid as invalid:
                    problem = EventsError(f"credential_{invalid.key}").message
                    status = 400
    else:
        form = CredentialVerifyForm()
    response = render(
        request,
        "events/credential_verify.html",
        {
            "form": form,
            "result": result,
            "error": problem,
            "keys_url": selectors.keys_url(),
            "status_url": selectors.status_list_url(),
        },
        status=status,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _kind(kind: str) -> str:
    if kind not in CredentialKind.values:
        raise Http404
    return kind


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def credential_issue(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    """The member chooses what the credential carries, and issues it."""
    kind = _kind(kind)
    item = selectors.credential_item(
        member=request.user, kind=kind, object_id=object_id
    )
    if item is None:
        raise Http404
    refusal = None
    if request.method == "POST":
        form = CredentialIssueForm(request.POST)
        if form.is_valid():
            try:
                services.credential_issue(
                    member=request.user,
                    kind=kind,
                    object_id=object_id,
                    include=set(form.cleaned_data["include"]),
                )
            except EventsError as error:
                refusal = error
            else:
                messages.success(
                    request,
                    _("Your credential is ready: download it or copy it below."),
                )
                target = redirect("member_path", public_id=request.user.public_id)
                target["Location"] += "#credentials"
                return target
    else:
        form = CredentialIssueForm(initial={"include": list(services.INCLUDE_CHOICES)})
        refusal = selectors.credential_issue_refusal(member=request.user, item=item)
    if refusal is not None:
        # A ban refuses the page (403); a credential in force is only said.
        status = refusal.status if request.method == "POST" else 200
        status = 403 if refusal.status == 403 else status
    else:
        status = 400 if form.errors else 200
    return render(
        request,
        "events/credential_issue.html",
        {
            "form": form,
            "item": item,
            "kind_label": CredentialKind(kind).label,
            "error": refusal,
        },
        status=status,
    )


@login_required
@require_safe
def credential_download(request: HttpRequest, credential_id) -> HttpResponse:
    credential = selectors.credential_of(
        member=request.user, credential_id=credential_id
    )
    if credential is None or not credential.token:
        raise Http404
    response = HttpResponse(credential.token, content_type="application/vc+jwt")
    response["Content-Disposition"] = (
        f'attachment; filename="moim-credential-{str(credential.pk)[:8]}.jwt"'
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_POST
def credential_revoke(request: HttpRequest, credential_id) -> HttpResponse:
    try:
        services.credential_revoke(member=request.user, credential_id=credential_id)
    except EventsError as error:
        if error.status == 404:
            raise Http404 from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("Revoked: anyone who checks it now sees so."))
    target = redirect("member_path", public_id=request.user.public_id)
    target["Location"] += "#credentials"
    return target

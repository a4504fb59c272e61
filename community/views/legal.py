"""The terms of service and the privacy policy (community.legal), the page
that asks a member to agree to a new version, and the member's own
consents: what they agreed to, and withdrawing or confirming email news."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from community import legal, selectors
from community.forms_consent import MarketingConsentForm, RequiredConsentForm
from community.services import consents as services


def _document(request: HttpRequest, document: str, version: str | None):
    if version is None:
        shown = legal.version_current(document)
    else:
        shown = legal.version_get(document, version)
        if shown is None:
            raise Http404
    current = legal.version_current(document)
    return render(
        request,
        "community/legal/document.html",
        {
            "document": document,
            "shown": shown,
            "body_template": shown.template_name(translation.get_language()),
            "is_current": shown == current,
            "current": current,
            "upcoming": legal.version_upcoming(document),
            "versions": legal.VERSIONS[document][::-1],
            "operator": legal.operator(),
        },
    )


@require_safe
def legal_terms(request: HttpRequest, version: str | None = None) -> HttpResponse:
    return _document(request, legal.TERMS, version)


@require_safe
def legal_privacy(request: HttpRequest, version: str | None = None) -> HttpResponse:
    return _document(request, legal.PRIVACY, version)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return "/"


@login_required
def consent_renew(request: HttpRequest) -> HttpResponse:
    """A required document has a new version in force: the member reads
    what changed and agrees, or signs out (community.middleware sends them
    here until they do)."""
    member = request.user
    to_agree = services.documents_to_agree(member=member)
    ask_age = bool(to_agree) and not services.age_confirmed(member=member)
    form = RequiredConsentForm(
        request.POST if request.method == "POST" else None, ask_age=ask_age
    )
    if not to_agree:
        if member.legal_agreed != legal.required_key():
            services.consent_required_agree(member=member)
        return redirect(_next_url(request))
    if request.method == "POST" and form.is_valid():
        services.consent_required_agree(member=member, age=ask_age)
        messages.success(request, _("Thank you. You agreed to the new version."))
        return redirect(_next_url(request))
    return render(
        request,
        "community/consent_renew.html",
        {
            "form": form,
            "to_agree": to_agree,
            "first_time": not member.legal_agreed,
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
def consent_settings(request: HttpRequest) -> HttpResponse:
    """The member's consents, each with its version and dates; email news
    can be given, confirmed again or withdrawn here."""
    member = request.user
    form = MarketingConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        if action == MarketingConsentForm.GIVE:
            services.consent_marketing_give(member=member)
            messages.success(request, _("You will receive email news from Moim."))
        elif action == MarketingConsentForm.RECONFIRM:
            services.consent_marketing_reconfirm(member=member)
            messages.success(
                request, _("Thank you. You will keep receiving email news.")
            )
        else:
            services.consent_marketing_withdraw(member=member)
            messages.success(request, _("You withdrew your consent to email news."))
        return redirect("consent_settings")
    return render(
        request,
        "community/consent_settings.html",
        {"form": form, **selectors.consents_of(member=member)},
        status=400 if form.errors else 200,
    )

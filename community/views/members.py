from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from community.adapters import VERIFICATION_EMAIL
from community.errors import CommunityError
from community.forms import (
    PictureForm,
    ProfileForm,
    VerificationResendForm,
    WorkEmailForm,
)
from community.images import upload_rate_check
from community.models import Member
from community.selectors import members as selectors
from community.services import members as services


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language, plus remembering the choice on the member so
    that emails and notifications follow it."""
    if request.user.is_authenticated:
        services.member_language_set(
            member=request.user, language=request.POST.get("language", "")
        )
    return set_language(request)


def member_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    member = get_object_or_404(Member, public_id=public_id, is_active=True)
    is_owner = request.user.is_authenticated and request.user.pk == member.pk
    viewer = request.user if request.user.is_authenticated else None
    return render(
        request,
        "community/member_detail.html",
        {
            "member": member,
            "is_owner": is_owner,
            "profile": selectors.member_profile(member=member, viewer=viewer),
        },
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    member = request.user
    # A member without a job role is being welcomed: the form ends on their
    # role's community, the next step, not on their own profile.
    welcoming = member.needs_onboarding
    form = ProfileForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(member=member, **form.cleaned_data)
        except CommunityError as err:
            member.refresh_from_db()
            form.add_error(
                "nickname" if err.code.startswith("nickname") else None, err.message
            )
        else:
            if welcoming:
                return _welcomed(request, member)
            messages.success(request, _("Your profile is saved."))
            return redirect("member_detail", public_id=member.public_id)
    return render(
        request,
        "community/profile_edit.html",
        {
            "form": form,
            "welcome": welcoming or "welcome" in request.GET,
            "next_nickname_change": member.nickname_next_change_at(),
            "two_factor_prompt": selectors.two_factor_prompt_due(
                member=member, session=request.session
            ),
        },
        status=400 if form.errors else 200,
    )


def _welcomed(request: HttpRequest, member: Member) -> HttpResponse:
    community = services.member_welcome(member=member)
    if community is None:
        messages.success(
            request,
            _("Your profile is saved. Join a community to see its threads here."),
        )
        return redirect("home")
    messages.success(
        request,
        _(
            "Welcome! You joined %(community)s, the community of your job role. "
            "Say hello or ask your first question."
        )
        % {"community": community.name},
    )
    return redirect("community_detail", slug=community.slug)


@require_POST
def verification_resend(request: HttpRequest) -> HttpResponse:
    """The "check your mail" page's resend button: a new link through
    allauth, limited by allauth per address and here per client
    (ACCOUNT_RATE_LIMITS["verification_resend"]); the same answer for every
    address, over the limit too, when nothing is sent
    (services.verification_email_resend)."""
    form = VerificationResendForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "account/verification_sent.html",
            {"resend_form": form},
            status=400,
        )
    email = form.cleaned_data["email"]
    if ratelimit.consume(request, action="verification_resend"):
        services.verification_email_resend(request=request, email=email)
    request.session[VERIFICATION_EMAIL] = email
    messages.info(
        request,
        _(
            "If %(email)s is waiting for confirmation, a new link is on its way "
            "(one every few minutes at most). Links already sent keep working."
        )
        % {"email": email},
    )
    return redirect("account_email_verification_sent")


@login_required
def avatar_edit(request: HttpRequest) -> HttpResponse:
    """The member's picture: upload one (checked and re-encoded by the
    service) or go back to the drawn default. A refused picture answers 400
    with the reason and changes nothing."""
    member = request.user
    # An empty POST is a refusal too (nothing chosen), not a fresh form.
    posted = request.method == "POST"
    form = PictureForm(request.POST if posted else None, request.FILES or None)
    if posted and form.is_valid():
        try:
            if form.cleaned_data["remove"] and not form.cleaned_data["picture"]:
                services.member_avatar_remove(member=member)
            else:
                upload_rate_check(request)
                services.member_avatar_set(
                    member=member, upload=form.cleaned_data["picture"]
                )
        except CommunityError as err:
            form.add_error("picture", err.message)
        else:
            messages.success(request, _("Your picture is saved."))
            return redirect("member_detail", public_id=member.public_id)
    return render(
        request,
        "community/avatar_edit.html",
        {"form": form, "member": member},
        status=400 if form.errors else 200,
    )


@login_required
def work_email(request: HttpRequest) -> HttpResponse:
    """Each request for a link counts towards the limits of
    ACCOUNT_RATE_LIMITS["work_email"], per member and per address (the mail
    goes to an address the member chose, and starts with their name), refused
    or not, as allauth counts its own; the limits live in the cache with
    allauth's."""
    member = request.user
    form = WorkEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if not ratelimit.consume(
                request,
                action="work_email",
                user=member,
                key=form.cleaned_data["email"].strip().lower(),
            ):
                raise CommunityError("work_email_rate_limited")
            services.work_email_request(
                member=member,
                email=form.cleaned_data["email"],
                confirm_url_for=lambda token: request.build_absolute_uri(
                    reverse("work_email_confirm", args=[token])
                ),
            )
        except CommunityError as err:
            form.add_error("email", err.message)
        else:
            messages.success(
                request,
                _("We sent a confirmation link to %(email)s.")
                % {"email": member.work_email_pending},
            )
            return redirect("work_email")
    return render(
        request,
        "community/work_email.html",
        {"form": form, "member": member},
        status=400 if form.errors else 200,
    )


@login_required
def work_email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what would be confirmed; only the POST confirms, so a mail
    scanner that follows links cannot verify an address on its own."""
    member = request.user
    try:
        if request.method == "POST":
            services.work_email_confirm(member=member, token=token)
            messages.success(request, _("Your work email is verified."))
            return redirect("work_email")
        email = services.work_email_token_read(member=member, token=token)
    except CommunityError as err:
        return render(
            request,
            "community/work_email_confirm.html",
            {"error": err.message},
            status=400,
        )
    return render(request, "community/work_email_confirm.html", {"email": email})


@login_required
@require_POST
def work_email_remove(request: HttpRequest) -> HttpResponse:
    services.work_email_remove(member=request.user)
    messages.success(request, _("Your work email was removed."))
    return redirect("work_email")


@require_POST
@login_required
def two_factor_prompt_dismiss(request: HttpRequest) -> HttpResponse:
    """Put the two-factor notice away for this session (it returns at the
    next sign-in), then go back to the page it was on."""
    request.session[selectors.TWO_FACTOR_PROMPT_DISMISSED] = True
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("profile_edit")
    # A path on this site, never a view name: redirect() tried to reverse a
    # "next" such as "3570-06-29 22:00" and failed with a 500.
    return HttpResponseRedirect(back)

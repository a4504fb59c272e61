"""The installable web app (its manifest and service worker) and a member's
push subscriptions (community.push): turning a device on from the browser,
and off from the browser or the settings page."""

import json

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from community.errors import MESSAGES, CommunityError
from community.services import push as services

# What a subscription's JSON may weigh: an endpoint of 1,024 characters and
# two keys fit many times over.
BODY_MAX = 4096


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: served from the site's root so that its scope is the
    whole site, never cached by HTTP caches (browsers check it for updates
    at every navigation anyway, bypassing the cache for at most a day)."""
    response = HttpResponse(
        render_to_string(
            "community/push/sw.js",
            # A JSON string is a JavaScript string literal.
            {"icon": mark_safe(json.dumps(static("img/app/icon-192.png")))},  # noqa: S308
        ),
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    """``/manifest.webmanifest``: Moim as an installable app, named in
    Korean (the site's language) with English for English readers."""
    name = "Moim" if translation.get_language() == "en" else "모임"
    data = {
        "name": name,
        "short_name": name,
        "description": _("Community and gatherings for people who share a job"),
        "lang": "ko",
        "dir": "ltr",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": "#2f5bea",
        "background_color": "#ffffff",
        "icons": [
            {
                "src": static("img/app/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": static("img/app/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
            },
            {
                "src": static("img/app/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False),
        content_type="application/manifest+json; charset=utf-8",
    )


def _refusal(code: str, **params) -> JsonResponse:
    error = CommunityError(code, **params)
    return JsonResponse({"error": error.message}, status=error.status)


def _rate_limited(request: HttpRequest) -> bool:
    return not ratelimit.consume(request, action="push_subscription", user=request.user)


def _body(request: HttpRequest) -> dict | None:
    if len(request.body) > BODY_MAX:
        return None
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@require_POST
@login_required
def push_subscribe(request: HttpRequest) -> JsonResponse:
    """A PushSubscription as the browser gives it (``endpoint`` and
    ``keys.p256dh``, ``keys.auth``) as JSON, with the CSRF token in
    ``X-CSRFToken``; or the same three as form fields."""
    if _rate_limited(request):
        return _refusal("push_rate_limited")
    if request.content_type == "application/json":
        data = _body(request)
        keys = data.get("keys") if data else None
        if not isinstance(keys, dict):
            return _refusal("push_keys_invalid")
        endpoint = data.get("endpoint")
        p256dh, auth = keys.get("p256dh"), keys.get("auth")
    else:
        endpoint = request.POST.get("endpoint")
        p256dh, auth = request.POST.get("p256dh"), request.POST.get("auth")
    if not isinstance(endpoint, str):
        return _refusal("push_endpoint_invalid")
    if not isinstance(p256dh, str) or not isinstance(auth, str):
        return _refusal("push_keys_invalid")
    try:
        subscription = services.subscription_add(
            member=request.user,
            endpoint=endpoint,
            p256dh=p256dh,
            auth=auth,
            user_agent=request.headers.get("User-Agent", ""),
            session_key=request.session.session_key,
        )
    except CommunityError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    return JsonResponse(
        {"id": subscription.pk, "label": subscription.label}, status=201
    )


@require_POST
@login_required
def push_unsubscribe(request: HttpRequest) -> HttpResponse:
    """Turn a device off: from the browser (JSON ``{"endpoint": …}``) or
    from the settings page's list (a form with ``subscription``). Only the
    member's own devices; another's answers as if there were none."""
    if _rate_limited(request):
        if request.content_type == "application/json":
            return _refusal("push_rate_limited")
        messages.error(request, MESSAGES["push_rate_limited"])
        return redirect("notification_settings")
    if request.content_type == "application/json":
        data = _body(request)
        endpoint = data.get("endpoint") if data else None
        if not isinstance(endpoint, str) or not endpoint:
            return _refusal("push_endpoint_invalid")
        removed = services.subscription_remove(member=request.user, endpoint=endpoint)
        return JsonResponse({"removed": removed})
    raw = request.POST.get("subscription", "")
    valid = raw.isascii() and raw.isdigit() and len(raw) < 19
    if valid and services.subscription_remove(
        member=request.user, subscription_id=int(raw)
    ):
        messages.success(request, _("Notifications are off on that device."))
    return redirect("notification_settings")

"""The member's notification centre: list, open one (marking it read), mark
all read. Only one's own notifications: another member's id answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from community import follows, preferences
from community.forms_notifications import NotificationSettingsForm
from community.models import (
    FollowLevel,
    Notification,
    NotificationChannel,
    NotificationTopic,
    PushSubscription,
)
from community.push import vapid_key
from community.selectors import notifications as selectors
from community.services import notifications as services
from community.services import preferences as preference_services


def notification_target(notification: Notification) -> str:
    """Where a notification leads: its comment, its thread, its own
    site-relative link (a gathering's page), or (for a sanction, which has
    none of these) back to the notification list."""
    if notification.thread_id is None:
        link = notification.link
        if link.startswith("/") and url_has_allowed_host_and_scheme(
            link, allowed_hosts=None
        ):
            return link
        return reverse("notification_list")
    url = reverse(
        "thread_detail",
        args=[notification.thread.community.slug, notification.thread_id],
    )
    if notification.comment_id:
        url += f"#comment-{notification.comment_id}"
    return url


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = selectors.notification_list(
        member=request.user, page=request.GET.get("page", 1)
    )
    return render(request, "community/notifications.html", {"page": page})


@require_POST
@login_required
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.notification_get(
        member=request.user, notification_id=notification_id
    )
    if notification is None:
        raise Http404
    services.notification_mark_read(
        member=request.user, notification_id=notification.pk
    )
    return redirect(notification_target(notification))


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(member=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notification_list")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Every topic per channel, the digest's frequency, and what always
    arrives (transactional mail)."""
    member = request.user
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None,
        choices=preferences.choices_of(member),
        digest=preferences.digest_frequency(member),
    )
    if request.method == "POST" and form.is_valid():
        preference_services.preferences_update(
            member=member, choices=form.choices(), digest=form.cleaned_data["digest"]
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification_settings")
    return render(
        request,
        "community/notification_settings.html",
        {
            "form": form,
            "channels": NotificationChannel.choices,
            "always": preferences.TRANSACTIONAL,
            "followed": follows.chosen_by(member),
            "levels": FollowLevel.choices,
            "devices": PushSubscription.objects.filter(member=member).order_by(
                "created", "pk"
            ),
            "push_key": vapid_key().public,
        },
        status=400 if form.errors else 200,
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058 one-click unsubscribe, reached from a mail without signing
    in. A GET only shows the button (link scanners fetch every URL in a
    mail); the POST, which mail clients send without a CSRF token (hence
    the exemption, on this view only), turns the email of the token's topic
    off for the token's member, whoever sends it: the token is signed and
    names them, so it can serve no one else."""
    read = preferences.unsubscribe_read(token)
    if read is None:
        return render(
            request, "community/unsubscribe.html", {"invalid": True}, status=404
        )
    topic = NotificationTopic(read[1])
    if request.method == "POST":
        if preference_services.preference_unsubscribe(token=token) is None:
            return render(
                request, "community/unsubscribe.html", {"invalid": True}, status=404
            )
        return render(
            request, "community/unsubscribe.html", {"done": True, "topic": topic}
        )
    return render(request, "community/unsubscribe.html", {"topic": topic})

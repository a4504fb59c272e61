"""The member's notification centre: list, open one (marking it read), mark
all read. Only one's own notifications: another member's id answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.models import Notification
from community.selectors import notifications as selectors
from community.services import notifications as services


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

"""Values every page's navigation needs."""

from django.http import HttpRequest

from community.selectors import notifications as selectors


def notifications(request: HttpRequest) -> dict:
    """The signed-in member's unread count, as a callable so that it costs a
    query only on pages that show it, and once per request however many
    templates render."""

    def unread_count() -> int:
        if not hasattr(request, "_moim_unread_count"):
            request._moim_unread_count = selectors.notification_unread_count(
                request.user
            )
        return request._moim_unread_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": unread_count}

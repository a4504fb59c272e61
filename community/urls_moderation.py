"""Search, notifications, reports, the moderation queue and the audit log."""

from django.urls import path

from community.views import moderation, notifications, search

urlpatterns = [
    path("search/", search.search, name="search"),
    path("c/<slug:slug>/search/", search.community_search, name="community_search"),
    path(
        "me/notifications/",
        notifications.notification_list,
        name="notification_list",
    ),
    path(
        "me/notifications/read-all/",
        notifications.notification_read_all,
        name="notification_read_all",
    ),
    path(
        "me/notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path("c/<slug:slug>/report/", moderation.report_create, name="report_create"),
    path(
        "c/<slug:slug>/moderation/",
        moderation.moderation_queue,
        name="moderation_queue",
    ),
    path(
        "c/<slug:slug>/moderation/act/",
        moderation.moderation_action,
        name="moderation_action",
    ),
    path("c/<slug:slug>/moderation/log/", moderation.audit_log, name="audit_log"),
    path(
        "c/<slug:slug>/moderation/sanctions/",
        moderation.sanctions,
        name="sanctions",
    ),
    path(
        "c/<slug:slug>/moderation/sanctions/<int:sanction_id>/lift/",
        moderation.sanction_lift,
        name="sanction_lift",
    ),
    path(
        "c/<slug:slug>/moderation/roles/",
        moderation.member_role,
        name="member_role",
    ),
]

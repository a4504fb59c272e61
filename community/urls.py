from django.urls import include, path

from community.views import legal, members, notifications, privacy, push

urlpatterns = [
    path("members/<public_id:public_id>/", members.member_detail, name="member_detail"),
    path("me/profile/", members.profile_edit, name="profile_edit"),
    path("me/picture/", members.avatar_edit, name="avatar_edit"),
    path(
        "accounts/verification/resend/",
        members.verification_resend,
        name="verification_resend",
    ),
    path(
        "me/two-factor-notice/dismiss/",
        members.two_factor_prompt_dismiss,
        name="two_factor_prompt_dismiss",
    ),
    path("me/work-email/", members.work_email, name="work_email"),
    path("me/work-email/remove/", members.work_email_remove, name="work_email_remove"),
    path(
        "me/work-email/confirm/<str:token>/",
        members.work_email_confirm,
        name="work_email_confirm",
    ),
    path("legal/terms/", legal.legal_terms, name="legal_terms"),
    path("legal/terms/<str:version>/", legal.legal_terms, name="legal_terms_version"),
    path("legal/privacy/", legal.legal_privacy, name="legal_privacy"),
    path(
        "legal/privacy/<str:version>/",
        legal.legal_privacy,
        name="legal_privacy_version",
    ),
    path("me/consent/", legal.consent_renew, name="consent_renew"),
    path("me/consents/", legal.consent_settings, name="consent_settings"),
    path(
        "me/notification-settings/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("me/push/subscribe/", push.push_subscribe, name="push_subscribe"),
    path("me/push/unsubscribe/", push.push_unsubscribe, name="push_unsubscribe"),
    path("unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
    path("me/data/", privacy.data_export, name="data_export"),
    path(
        "me/data/download/<str:token>/",
        privacy.data_export_download,
        name="data_export_download",
    ),
    path("me/leave/", privacy.member_leave, name="member_leave"),
    path("", include("community.urls_forum")),
    path("", include("community.urls_moderation")),
]

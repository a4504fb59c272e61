from django.urls import include, path

from community.views import members

urlpatterns = [
    path("members/<public_id:public_id>/", members.member_detail, name="member_detail"),
    path("me/profile/", members.profile_edit, name="profile_edit"),
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
    path("", include("community.urls_forum")),
    path("", include("community.urls_moderation")),
]

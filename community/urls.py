from django.urls import path

from community import views

urlpatterns = [
    path("members/<str:public_id>/", views.member_detail, name="member_detail"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/work-email/", views.work_email, name="work_email"),
    path("me/work-email/remove/", views.work_email_remove, name="work_email_remove"),
    path(
        "me/work-email/confirm/<str:token>/",
        views.work_email_confirm,
        name="work_email_confirm",
    ),
]

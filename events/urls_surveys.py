"""The survey and the path: answering, takeaways, the organisers' survey
pages, a member's path and its exports."""

from django.urls import path

from events.views import followups, surveys
from events.views import path as path_views

urlpatterns = [
    path(
        "c/<slug:slug>/g/<int:pk>/survey/",
        surveys.survey_answer,
        name="survey_answer",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/takeaway/",
        surveys.takeaway_edit,
        name="takeaway_edit",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/follow-up/",
        followups.followup_answer,
        name="followup_answer",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/survey/edit/",
        surveys.survey_edit,
        name="survey_edit",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/survey/results/",
        surveys.survey_results,
        name="survey_results",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/survey/results.csv",
        surveys.survey_results_csv,
        name="survey_results_csv",
    ),
    path(
        "members/<public_id:public_id>/path/",
        path_views.member_path,
        name="member_path",
    ),
    path("me/path/visibility/", path_views.path_visibility, name="path_visibility"),
    path(
        "me/path/experiences/new/",
        path_views.experience_create,
        name="experience_create",
    ),
    path(
        "me/path/experiences/<int:experience_id>/",
        path_views.experience_edit,
        name="experience_edit",
    ),
    path(
        "me/path/experiences/<int:experience_id>/delete/",
        path_views.experience_delete,
        name="experience_delete",
    ),
    path("me/path.json", path_views.path_json, name="path_json"),
    path("me/path.ics", path_views.path_ics, name="path_ics"),
]

"""Gathering pages for organisers: create, edit, publish, cancel,
applications, the draw button and check-in."""

from django.urls import path

from events.views import messages, organise, repeat

urlpatterns = [
    path(
        "c/<slug:slug>/draw-options/",
        organise.community_fairness,
        name="community_fairness",
    ),
    path("c/<slug:slug>/g/new/", organise.gathering_create, name="gathering_create"),
    path(
        "c/<slug:slug>/g/<int:pk>/edit/",
        organise.gathering_edit,
        name="gathering_edit",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/cover/",
        organise.gathering_cover,
        name="gathering_cover",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/publish/",
        organise.gathering_publish,
        name="gathering_publish",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/amend/",
        organise.gathering_amend,
        name="gathering_amend",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/cancel/",
        organise.gathering_cancel,
        name="gathering_cancel",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/manage/",
        organise.gathering_manage,
        name="gathering_manage",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/manage/applicants.csv",
        organise.gathering_applicants_export,
        {"fmt": "csv"},
        name="gathering_applicants_csv",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/manage/applicants.xlsx",
        organise.gathering_applicants_export,
        {"fmt": "xlsx"},
        name="gathering_applicants_xlsx",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/draw/",
        organise.gathering_draw,
        name="gathering_draw",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/revoke/",
        organise.gathering_join_revoke,
        name="gathering_join_revoke",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/checkin/",
        organise.gathering_checkin,
        name="gathering_checkin",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/checkin/scan/",
        organise.gathering_checkin_scan,
        name="gathering_checkin_scan",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/checkin/venue/",
        organise.gathering_checkin_venue,
        name="gathering_checkin_venue",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/messages/",
        messages.gathering_messages,
        name="gathering_messages",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/messages/<int:message_id>/",
        messages.gathering_message,
        name="gathering_message",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/messages/<int:message_id>/cancel/",
        messages.gathering_message_cancel,
        name="gathering_message_cancel",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/repeat/",
        repeat.gathering_repeat,
        name="gathering_repeat",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/series/",
        repeat.gathering_series,
        name="gathering_series",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/series/stop/",
        repeat.gathering_series_stop,
        name="gathering_series_stop",
    ),
]

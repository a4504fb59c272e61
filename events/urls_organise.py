"""Gathering pages for organisers: create, edit, publish, cancel,
applications, the draw button and check-in."""

from django.urls import path

from events.views import organise, sharing

urlpatterns = [
    path(
        "c/<slug:slug>/draw-options/",
        organise.community_fairness,
        name="community_fairness",
    ),
    path("c/<slug:slug>/g/new/", organise.gathering_create, name="gathering_create"),
    path(
        "c/<slug:slug>/g/hosts/suggest/",
        sharing.gathering_host_suggest,
        name="gathering_host_suggest",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/preview/",
        sharing.gathering_preview,
        name="gathering_preview",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/share/",
        sharing.gathering_share,
        name="gathering_share",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/share/qr.svg",
        sharing.gathering_qr,
        name="gathering_qr",
    ),
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
]

"""Gathering pages for members: detail, applying, seat offers, join URLs,
my gatherings and draw records."""

from django.urls import path

from events.views import attend

urlpatterns = [
    path("c/<slug:slug>/g/<int:pk>/", attend.gathering_detail, name="gathering_detail"),
    path(
        "c/<slug:slug>/g/<int:pk>/apply/",
        attend.gathering_apply,
        name="gathering_apply",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/withdraw/",
        attend.gathering_withdraw,
        name="gathering_withdraw",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/confirm/",
        attend.offer_confirm,
        name="offer_confirm",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/decline/",
        attend.offer_decline,
        name="offer_decline",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/self-checkin/",
        attend.gathering_self_checkin,
        name="gathering_self_checkin",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/draw.json",
        attend.draw_record,
        name="draw_record",
    ),
    path(
        "c/<slug:slug>/g/<int:pk>/draw/results/",
        attend.draw_results,
        name="draw_results",
    ),
    path("join/<str:token>/", attend.gathering_join, name="gathering_join"),
    path("me/gatherings/", attend.my_gatherings, name="my_gatherings"),
]

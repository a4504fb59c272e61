"""Calendars: a gathering, a community feed, a personal feed."""

from django.urls import path

from events.views import calendars

urlpatterns = [
    path(
        "c/<slug:slug>/g/<int:pk>/calendar.ics",
        calendars.gathering_ics,
        name="gathering_ics",
    ),
    path(
        "c/<slug:slug>/calendar.ics",
        calendars.community_calendar,
        name="community_calendar",
    ),
    path("me/calendar/", calendars.calendar_feed, name="calendar_feed"),
    # The token is a secret: see events.log_masking before logging this path.
    path(
        "feeds/<str:token>.ics", calendars.personal_calendar, name="personal_calendar"
    ),
]

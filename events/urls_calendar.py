"""Calendars: a gathering, a community feed, a personal feed."""

urlpatterns: list = []

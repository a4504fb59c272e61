"""Notifications, reports, the moderation queue and the audit log."""

urlpatterns: list = []

"""Gathering pages for members: detail, applying, seat offers, join URLs,
my gatherings and draw records."""

urlpatterns: list = []

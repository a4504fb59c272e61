"""Gathering pages for organisers: create, edit, publish, cancel,
applications, the draw button and check-in."""

urlpatterns: list = []

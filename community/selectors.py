"""Reads that shape queries for community pages."""

from django.db.models import QuerySet

from community.models import Community


def community_list() -> QuerySet[Community]:
    return Community.objects.order_by("name")

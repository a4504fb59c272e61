"""How the community's gatherings went: pages and CSV for its moderators."""

from django.urls import path

from events.views import analytics

urlpatterns = [
    path(
        "c/<slug:slug>/analytics/",
        analytics.community_analytics,
        name="community_analytics",
    ),
    path(
        "c/<slug:slug>/analytics/gatherings.csv",
        analytics.community_analytics_gatherings_csv,
        name="community_analytics_gatherings_csv",
    ),
    path(
        "c/<slug:slug>/analytics/months.csv",
        analytics.community_analytics_months_csv,
        name="community_analytics_months_csv",
    ),
    path(
        "c/<slug:slug>/analytics/g/<int:pk>/",
        analytics.gathering_analytics,
        name="gathering_analytics",
    ),
]

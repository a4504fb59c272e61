from django.urls import include, path

urlpatterns = [
    path("", include("events.urls_attend")),
    path("", include("events.urls_organise")),
    path("", include("events.urls_calendar")),
    path("", include("events.urls_surveys")),
    path("", include("events.urls_analytics")),
    path("", include("events.urls_credentials")),
]

from django.contrib import admin
from django.urls import include, path

from community.views import communities as community_views
from community.views import members as member_views

urlpatterns = [
    path("", community_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("language/", member_views.language_set, name="language_set"),
    path("", include("community.urls")),
    path("admin/", admin.site.urls),
]

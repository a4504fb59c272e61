from django.contrib import admin
from django.urls import include, path

from community import views as community_views

urlpatterns = [
    path("", community_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("language/", community_views.language_set, name="language_set"),
    path("", include("community.urls")),
    path("admin/", admin.site.urls),
]

import os

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from community.ids import PublicIdConverter
from community.views import communities as community_views
from community.views import members as member_views
from community.views import push as push_views

# Before the apps' URL modules are included: they use it.
register_converter(PublicIdConverter, "public_id")

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page declares.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("img/favicon.svg"), permanent=True),
    ),
    # The service worker's scope is the folder it is served from: the root.
    path("sw.js", push_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", push_views.manifest, name="web_manifest"),
    path("", community_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("language/", member_views.language_set, name="language_set"),
    path("", include("community.urls")),
    path("", include("events.urls")),
    path("admin/", admin.site.urls),
]

# bench/forum.py measures every page against these views, served by the
# same server through the same middleware; they exist only when the
# benchmark starts the server with MOIM_BENCH=1.
if os.environ.get("MOIM_BENCH") == "1":
    from config import bench_views

    urlpatterns += [
        path("bench/bare/", bench_views.bare),
        path("bench/floor/<slug:slug>/", bench_views.floor),
    ]

"""ASGI entry point: HTTP and websockets on one application, served by daphne."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before anything imports models (consumers, middleware).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from config.media import ASGIMediaFilesHandler  # noqa: E402
from realtime.origins import SiteOriginValidator  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

http_app = (
    ASGIStaticFilesHandler(django_asgi_app)
    if settings.SERVE_STATIC
    else django_asgi_app
)
if settings.SERVE_MEDIA and settings.STORAGES["default"]["BACKEND"].endswith(
    "FileSystemStorage"
):
    http_app = ASGIMediaFilesHandler(http_app)

application = ProtocolTypeRouter(
    {
        "http": http_app,
        # A handshake whose Origin (scheme, host and port) is not one of the
        # site's is refused before the consumer ever accepts it.
        "websocket": SiteOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

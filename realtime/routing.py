"""Websocket routes, mounted by config/asgi.py behind the origin validator and
the session authentication middleware. Each consumer authorises on connect and
on every frame."""

import os

from django.urls import path, re_path

from realtime.consumers import BareBroadcastConsumer, NotificationConsumer, RoomConsumer

websocket_urlpatterns = [
    re_path(r"^ws/rooms/(?P<room>[^/]{1,120})/$", RoomConsumer.as_asgi()),
    path("ws/me/", NotificationConsumer.as_asgi()),
]

# bench/chat.py measures the room against this bare broadcast consumer, served
# by the same processes through the same channel layer; it exists only when
# the benchmark starts the servers with MOIM_BENCH=1.
if os.environ.get("MOIM_BENCH") == "1":
    websocket_urlpatterns.append(
        path("ws/bench/bare/", BareBroadcastConsumer.as_asgi())
    )

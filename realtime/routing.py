"""Websocket routes, mounted by config/asgi.py behind the origin validator and
the session authentication middleware. Each consumer authorises on connect and
on every frame."""

websocket_urlpatterns: list = []

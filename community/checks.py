"""Deployment checks: with DEBUG off, embedded backends are a mistake, and so
is a site address the site does not answer to."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.http.request import validate_host

EMBEDDED_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


@register(Tags.security)
def check_embedded_backends(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    findings = []
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        findings.append(
            Warning(
                "DEBUG is off but the database is the embedded SQLite file.",
                hint="Set DATABASE_URL to a PostgreSQL database.",
                id="moim.W001",
            )
        )
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if layer == "channels.layers.InMemoryChannelLayer":
        findings.append(
            Warning(
                "DEBUG is off but the channel layer is in memory: chat will not "
                "reach members connected to another server process.",
                hint="Set REDIS_URL.",
                id="moim.W002",
            )
        )
    if settings.CACHES["default"]["BACKEND"] in EMBEDDED_CACHES:
        # Login rate limits live in the cache: one that each process keeps
        # for itself multiplies the allowed attempts by the process count.
        findings.append(
            Error(
                "DEBUG is off but the cache, which holds login rate limits, is "
                "not shared between server processes.",
                hint="Set REDIS_URL.",
                id="moim.E001",
            )
        )
    return findings


@register(Tags.security)
def check_site_url(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    site = urlsplit(settings.SITE_URL)
    if site.scheme in {"http", "https"} and validate_host(
        site.hostname or "", settings.ALLOWED_HOSTS
    ):
        return []
    return [
        Warning(
            f"DEBUG is off but SITE_URL ({settings.SITE_URL}) is not an address "
            "of this site: links in mail would lead elsewhere.",
            hint="Set SITE_URL to the site's public address, e.g. "
            "https://moim.example.com, with its host in ALLOWED_HOSTS.",
            id="moim.W003",
        )
    ]


@register()
def check_vapid_keys(app_configs, **kwargs):
    """The web push key (community.push): a configured pair must be one
    P-256 key; with DEBUG off an unset pair is worth a warning, because the
    key derived from SECRET_KEY changes with it and every device then has
    to be turned on again."""
    from community.push import vapid_key

    try:
        key = vapid_key()
    except (ValueError, TypeError) as error:
        return [
            Error(
                f"The web push key cannot be read: {error}",
                hint="manage.py vapid_key prints a pair (docs/deploy.md, Web push).",
                id="moim.E010",
            )
        ]
    if key.derived and not settings.DEBUG:
        return [
            Warning(
                "DEBUG is off but MOIM_VAPID_PRIVATE_KEY and MOIM_VAPID_PUBLIC_KEY "
                "are unset: web push uses a key derived from SECRET_KEY, and a new "
                "SECRET_KEY silences every member's devices.",
                hint="manage.py vapid_key prints a pair (docs/deploy.md, Web push).",
                id="moim.W010",
            )
        ]
    return []


@register(Tags.security)
def check_push_local_http(app_configs, **kwargs):
    """Plain http push endpoints to 127.0.0.1 are for development and the
    tests' push server: in production they would let a member make the
    worker post to a service on the machine itself."""
    if settings.MOIM_PUSH_LOCAL_HTTP and not settings.DEBUG:
        return [
            Error(
                "MOIM_PUSH_LOCAL_HTTP is on but DEBUG is off: members could make "
                "the worker post to services on 127.0.0.1.",
                hint="Unset MOIM_PUSH_LOCAL_HTTP in production "
                "(docs/deploy.md, Web push).",
                id="moim.E011",
            )
        ]
    return []

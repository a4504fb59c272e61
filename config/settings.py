"""Moim settings, driven by the environment.

With nothing set, Moim runs embedded: a SQLite file, the in-memory channel
layer, the local-memory cache, console email and the database task queue.
Each integration switches on when its variable is present; `.env.example`
lists them all.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DJANGO_DEBUG", True)

# The public development key signs sessions and join URLs and seals survey
# responses: with it anyone could forge or open them. It is only acceptable
# while DEBUG is on. With DEBUG off, a missing key or any development or weak
# key stops every process here: the server, the worker and every management
# command import this file before doing anything.
DEVELOPMENT_SECRET_KEY = "django-insecure-moim-development-only"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or DEVELOPMENT_SECRET_KEY
# Earlier keys, kept after a rotation for as long as what they signed or
# sealed must still open: sessions, join URLs, and the responses of a survey
# that is still open (docs/anonymity.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])


def is_weak_secret_key(key: str) -> bool:
    """A key that must not sign anything in production: Django's own
    ``security.W009`` rule, with its constants (fewer than 50 characters,
    fewer than 5 distinct ones, or Django's ``django-insecure-`` prefix, which
    the built-in development key carries). The placeholder in `.env.example`
    is shorter than 50 characters, so a copied file is refused too."""
    return (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith(SECRET_KEY_INSECURE_PREFIX)
    )


how_to_make_a_key = (
    f"Set it to {SECRET_KEY_MIN_LENGTH} or more random characters, e.g. the "
    "output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))' "
    "(docs/deploy.md)."
)
if not DEBUG:
    if is_weak_secret_key(SECRET_KEY):
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off but SECRET_KEY is missing, a development key "
            "or a placeholder (fewer than "
            f"{SECRET_KEY_MIN_LENGTH} characters, fewer than "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} distinct characters, or "
            f"starting with '{SECRET_KEY_INSECURE_PREFIX}'). " + how_to_make_a_key
        )
    if any(is_weak_secret_key(key) for key in SECRET_KEY_FALLBACKS):
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off but SECRET_KEY_FALLBACKS holds a development, "
            "placeholder or weak key: what it signs is accepted, and anyone may "
            "know or guess it. Remove it; a real earlier key follows the same "
            "rule as SECRET_KEY. " + how_to_make_a_key
        )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The site's public address: links in mail (sent by the task worker, outside
# any request) and the scheme of allauth's links.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    # Django's admin, signed in to through allauth only (config/admin.py).
    "config.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "allauth",
    "allauth.account",
    # Two-factor and signed-in devices (see "Two-factor and sessions" below).
    "allauth.mfa",
    "allauth.usersessions",
    "community",
    "events",
    "realtime",
    # After community, whose db_worker command takes the place of its own.
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the member's row read by a query built once
    # (community.authentication).
    "community.authentication.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "community.middleware.ConsentRequiredMiddleware",
    # After authentication: notes, at most every few minutes, when and from
    # where each signed-in device was last seen (community.usersessions).
    "community.usersessions.LastSeenMiddleware",
    "community.middleware.RedisUnavailableMiddleware",
    "community.middleware.NotFoundPageMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "community.context_processors.notifications",
                # After Django's csrf processor, whose token it stands in for.
                "community.page_cache.csrf_placeholder",
            ],
            # Dates and times one way on every page (community/timefmt.py).
            "builtins": ["community.templatetags.times"],
        },
    },
]

# --- Database -------------------------------------------------------------
# DATABASE_URL switches to PostgreSQL. Under an ASGI server every worker
# thread would hold its own persistent connection (CONN_MAX_AGE) and run
# PostgreSQL out of connections under load, so psycopg's pool is used instead.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2),
            "max_size": env_int("DATABASE_POOL_MAX", 10),
            "timeout": 10,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # The browser tests serve the test database from a second
            # process, so it lives in a file rather than in memory.
            "TEST": {
                "NAME": os.environ.get(
                    "SQLITE_TEST_PATH", str(BASE_DIR / ".test-db.sqlite3")
                )
            },
            "OPTIONS": {
                # Several writers (server, worker) share the file: wait for
                # the lock instead of failing at once, and use WAL so that
                # readers never block.
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ---------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# channels_redis's two layers. Pub/Sub by default: measured with
# bench/chat.py it costs a fifth less CPU per message and, unlike the core
# layer, never ran out of pooled connections when many sockets closed at once
# (docs/realtime.md, docs/benchmarks.md).
CHANNEL_LAYER_BACKENDS = {
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": CHANNEL_LAYER_BACKENDS[
                os.environ.get("MOIM_CHANNEL_LAYER", "pubsub")
            ],
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "moim"},
        }
    }
    CACHES = {
        "default": {
            # Django's RedisCache with one client and connection pool per
            # process, not one per request (see the module).
            "BACKEND": "config.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "moim",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks (django.tasks) ----------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Email --------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587, turns on real
# email; without it messages are printed on the console.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Moim <no-reply@moim.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_URL:
    _email = urlsplit(EMAIL_URL)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email.hostname or "localhost",
                "port": _email.port or (465 if _email.scheme == "smtp+ssl" else 587),
                "username": unquote(_email.username or ""),
                "password": unquote(_email.password or ""),
                "use_tls": _email.scheme == "smtp+tls",
                "use_ssl": _email.scheme == "smtp+ssl",
                "timeout": int(parse_qs(_email.query).get("timeout", ["10"])[0]),
            },
        }
    }
else:
    # Printed decoded, links on lines of their own (community.mail_backends).
    MAILERS = {"default": {"BACKEND": "community.mail_backends.ConsoleBackend"}}

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "community.Member"
# One backend, so that a sign-in hashes the password exactly once whatever the
# outcome: allauth's (a ModelBackend, permissions included) checks the password
# of the account it finds, or hashes it once anyway when there is none. Next to
# Django's ModelBackend, a wrong password or an unknown email was hashed twice
# and a right one once, which told the two apart by timing.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "community.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "community.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_USER_DISPLAY = "community.display.display_name"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme
# Confirming it is you again, before a sensitive account change: by password,
# or by a code mailed to a verified address (no weaker than a password reset,
# which trusts the same mailbox, and the one way for a member without a
# password). Sign-in itself stays by password: no login by code. A member
# with two-factor may also confirm with it (the admin asks for exactly that).
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "code", "mfa")
# The 6th failed login for one account within five minutes is refused,
# whatever address it comes from ("key" is the account's email). Moim's own
# mail to an address a member types in (the work-email link) is limited here
# too: per member, and per address whoever asks ("key" is the address).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/300s/key",
    "work_email": "5/h/user,10/d/user,3/d/key",
    # The composer's live preview and @mention suggestions (community.views.
    # compose): typing asks often, but a script should not render or list
    # members at will.
    "compose_preview": "40/m/user",
    "mention_suggest": "60/m/user",
    # The gathering form's host picker (events.views.sharing): the same
    # budget, for the same reason.
    "host_suggest": "60/m/user",
    # The "check your mail" resend button (community.views.members): allauth
    # limits each address, this each client, so a script cycling through
    # addresses cannot queue mail at will.
    "verification_resend": "5/m/ip,20/h/ip",
    # Avatars and covers (community.images.upload_rate_check): decoding a
    # large photo takes over a second of CPU.
    "picture_upload": "10/h/user",
    # Self check-in with the venue's six-character code (events.views.attend):
    # a few typing mistakes pass, guessing (887 million codes) does not.
    "self_checkin": "10/10m/user,30/d/user",
    # Messages to a gathering's applicants (events.views.messages): per
    # organiser, and per gathering whoever writes (its key), so applicants
    # are not flooded however many organisers a gathering has.
    "gathering_message": "5/h/user,20/d/user,10/d/key",
    # Turning push notifications on or off on a device (community.views.push).
    "push_subscription": "20/h/user",
}
# How many reverse proxies stand in front of the ASGI servers; only their
# X-Forwarded-For entries are trusted for per-address rate limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- Files -------------------------------------------------------------------------
# Files that belong to one member (their data export) live in a private
# storage: a directory the web server does not serve, read only through a
# view that checks who asks. MOIM_PRIVATE_ROOT moves it (e.g. to a volume
# shared by the web and worker processes).
# Uploaded images (avatars, gathering covers) go to the default storage: a
# directory embedded (served by the ASGI app unless SERVE_MEDIA=0), or any
# S3-compatible bucket when S3_BUCKET is set (the "s3" extra,
# docs/deploy.md). Every file in it was re-encoded by community.images, so it
# holds nothing a member sent as such.
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = os.environ.get("MOIM_MEDIA_ROOT", str(BASE_DIR / "media"))
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
# An uploaded picture: at most this many bytes, and this many pixels once
# decoded (a 48-megapixel phone photo is refused; a 12-megapixel one, the
# usual, is not). Pillow decodes under the pixel limit, never above it.
MOIM_IMAGE_MAX_BYTES = env_int("MOIM_IMAGE_MAX_BYTES", 10 * 1024 * 1024)
MOIM_IMAGE_MAX_PIXELS = env_int("MOIM_IMAGE_MAX_PIXELS", 40_000_000)
if os.environ.get("S3_BUCKET"):
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            # Any S3-compatible store: its endpoint and region; the keys come
            # from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as boto3 reads
            # them.
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "custom_domain": os.environ.get("S3_CUSTOM_DOMAIN") or None,
            # Images are public (shown on public pages) and their names
            # unguessable; signed URLs would break every cached page.
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000"},
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    # Each URL carries its file's digest (config.static_files).
    "staticfiles": {"BACKEND": "config.static_files.VersionedStaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("MOIM_PRIVATE_ROOT", str(BASE_DIR / "private")),
            "base_url": None,
        },
    },
}
# --- Two-factor and sessions -----------------------------------------------------
# allauth.mfa: an authenticator app (TOTP) with recovery codes, and passkeys
# (WebAuthn), which also sign in on their own. Staff need one before the
# admin opens (config/admin.py); organisers are asked to add one.
MFA_ADAPTER = "community.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
# A passkey is never a way to sign up: a new member still gives a name and
# a verified email through the sign-up form.
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_TOTP_ISSUER = "Moim"
MFA_FORMS = {
    "add_webauthn": "community.forms_mfa.PasskeyAddForm",
    "edit_webauthn": "community.forms_mfa.PasskeyRenameForm",
}
# WebAuthn binds a passkey to the site's domain, its relying-party id: the
# host of SITE_URL (never the request's Host header). Browsers accept it over
# https, and over plain http only for localhost.
MFA_WEBAUTHN_RP_ID = urlsplit(SITE_URL).hostname or "localhost"
# allauth.usersessions: a member's signed-in devices. allauth's own activity
# tracking writes on every request; LastSeenMiddleware (above) writes at most
# once per this many seconds per session.
USERSESSIONS_ADAPTER = "community.adapters.UserSessionsAdapter"
USERSESSIONS_TRACK_ACTIVITY = False
MOIM_SESSION_LAST_SEEN_SECONDS = 300

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True
# Korean 오전/오후 before the time, English "PM" never "p.m.", weekdays.
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True

# --- Static files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# The ASGI app serves static files itself unless a web server in front does
# (SERVE_STATIC=0 with collectstatic, see docs/deploy.md).
SERVE_STATIC = env_bool("SERVE_STATIC", True)

# --- Security headers -----------------------------------------------------------
# A strict policy in every mode: only the site's own scripts, styles, images
# and sockets; no inline script, no plugins, no framing, no <base>.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # The service worker (/sw.js) and the web app manifest, both our own.
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
# Images in a bucket are shown from its address: the one origin added.
if os.environ.get("S3_BUCKET"):
    if os.environ.get("S3_CUSTOM_DOMAIN"):
        _media_origin = f"https://{os.environ['S3_CUSTOM_DOMAIN']}"
    elif os.environ.get("S3_ENDPOINT_URL"):
        _endpoint = urlsplit(os.environ["S3_ENDPOINT_URL"])
        _media_origin = f"{_endpoint.scheme}://{_endpoint.netloc}"
    else:
        _media_origin = "https://*.amazonaws.com"
    SECURE_CSP["img-src"].append(_media_origin)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions read from the cache, kept in the database: no query per request
# for a signed-in member (community/sessions.py says how ending one holds).
SESSION_ENGINE = "community.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Sign-in with Kakao, Naver and Google (allauth's socialaccount) ---------------
# A provider is switched on by its client id and secret; without them it does
# not exist (no button, its pages answer 404). Its endpoints are allauth's
# real ones unless SOCIALACCOUNT_PROVIDERS names others (community.social):
# the tests point them at an OAuth server of their own on 127.0.0.1.
INSTALLED_APPS += [
    "allauth.socialaccount",
    "allauth.socialaccount.providers.kakao",
    "allauth.socialaccount.providers.naver",
    "allauth.socialaccount.providers.google",
]
_social_providers = {
    # id: (client id, secret, the origins its sign-in page lives at)
    "kakao": (
        os.environ.get("KAKAO_CLIENT_ID", ""),
        os.environ.get("KAKAO_CLIENT_SECRET", ""),
        ["https://kauth.kakao.com", "https://accounts.kakao.com"],
    ),
    "naver": (
        os.environ.get("NAVER_CLIENT_ID", ""),
        os.environ.get("NAVER_CLIENT_SECRET", ""),
        ["https://nid.naver.com"],
    ),
    "google": (
        os.environ.get("GOOGLE_CLIENT_ID", ""),
        os.environ.get("GOOGLE_CLIENT_SECRET", ""),
        ["https://accounts.google.com"],
    ),
}
SOCIALACCOUNT_ADAPTER = "community.social.adapter.SocialAccountAdapter"
SOCIALACCOUNT_FORMS = {
    "signup": "community.forms.SocialSignupForm",
    "disconnect": "community.forms.DisconnectForm",
}
SOCIALACCOUNT_PROVIDERS = {
    provider_id: {
        "provider_class": f"community.social.{provider_id}.provider."
        f"{provider_id.capitalize()}Provider"
    }
    for provider_id in _social_providers
}
# Kakao asks consent per item: the address, and the nickname shown there.
SOCIALACCOUNT_PROVIDERS["kakao"]["SCOPE"] = ["account_email", "profile_nickname"]
for _provider_id, (_client_id, _secret, _origins) in _social_providers.items():
    _client_id, _secret = _client_id.strip(), _secret.strip()
    if bool(_client_id) != bool(_secret):
        _prefix = _provider_id.upper()
        raise ImproperlyConfigured(
            f"{_prefix}_CLIENT_ID and {_prefix}_CLIENT_SECRET switch "
            f"{_provider_id} sign-in on together: set both, or neither."
        )
    if _client_id:
        SOCIALACCOUNT_PROVIDERS[_provider_id]["APP"] = {
            "client_id": _client_id,
            "secret": _secret,
        }
        # A sign-in form posts to Moim, which answers with a redirect to the
        # provider: the policy's form-action governs that redirect too.
        SECURE_CSP["form-action"] += _origins
# Never sign in to, or connect, an account because its email address matches
# the provider's: whoever controls that provider account would get in. A
# provider is connected only by a member signed in to Moim, who confirmed it
# is them within the last few minutes (ACCOUNT_REAUTHENTICATION_TIMEOUT).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_REAUTHENTICATION_REQUIRED = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10

# --- Moim ----------------------------------------------------------------------
# With DEBUG on, a missing page still gets Moim's own 404 page unless this
# asks for Django's technical one (community.middleware.NotFoundPageMiddleware).
MOIM_DEBUG_404 = env_bool("DJANGO_DEBUG_404", False)
MOIM_NICKNAME_COOLDOWN_DAYS = 90
# How long a page is kept for signed-out readers (community.page_cache);
# 0 renders every request.
MOIM_ANONYMOUS_PAGE_SECONDS = env_int("MOIM_ANONYMOUS_PAGE_SECONDS", 10)
MOIM_WORK_EMAIL_LINK_MAX_AGE = 60 * 60 * 24 * 3
# Who runs this Moim, as the terms of service and the privacy policy name
# them (community.legal); a system check asks for every one in production.
MOIM_OPERATOR = {
    "name": os.environ.get("MOIM_OPERATOR_NAME", "").strip(),
    "representative": os.environ.get("MOIM_OPERATOR_REPRESENTATIVE", "").strip(),
    "address": os.environ.get("MOIM_OPERATOR_ADDRESS", "").strip(),
    "business_number": os.environ.get("MOIM_OPERATOR_BUSINESS_NUMBER", "").strip(),
    "privacy_officer": os.environ.get("MOIM_PRIVACY_OFFICER", "").strip(),
    "privacy_email": os.environ.get("MOIM_PRIVACY_EMAIL", "").strip(),
}
# Consent to email news lapses unless the member confirms it again within
# this many days (Korean law asks every two years); the reminder goes out
# this many days before.
MOIM_MARKETING_CONSENT_DAYS = 730
MOIM_MARKETING_REMINDER_DAYS = 30
# The follow-up (events.services.followups): attendees who kept a takeaway
# are asked this many days after a gathering ends whether they applied it,
# and may answer (or change their answer) for this many days after asking.
MOIM_FOLLOWUP_AFTER_DAYS = env_int("MOIM_FOLLOWUP_AFTER_DAYS", 30)
MOIM_FOLLOWUP_OPEN_DAYS = env_int("MOIM_FOLLOWUP_OPEN_DAYS", 30)
# A member's data export: downloadable for a week, one request a day.
MOIM_DATA_EXPORT_MAX_AGE = 60 * 60 * 24 * 7
MOIM_DATA_EXPORT_INTERVAL = 60 * 60 * 24
# drand HTTP relays asked for the draw's beacon round, in turn (events.beacon);
# empty: no relay, only rounds staff enter by hand (manage.py beacon_enter).
MOIM_BEACON_URLS = env_list("MOIM_BEACON_URLS", [])
# Seconds one relay has to answer before the next is asked.
MOIM_BEACON_TIMEOUT = float(os.environ.get("MOIM_BEACON_TIMEOUT") or 5)
# The keys that sign members' credentials (events.credentials, docs/path.md):
# a JWK set of Ed25519 keys, each with a kid; the last one with its private
# part signs, all are published. Empty: a development key derived from
# SECRET_KEY (a system check warns when DEBUG is off).
MOIM_CREDENTIAL_KEYS = os.environ.get("MOIM_CREDENTIAL_KEYS", "")
# Web push (community.push, docs/deploy.md "Web push"): the VAPID key pair
# (manage.py vapid_key makes one), base64url; both or neither. Unset: a key
# derived from SECRET_KEY (a system check warns when DEBUG is off).
MOIM_VAPID_PRIVATE_KEY = os.environ.get("MOIM_VAPID_PRIVATE_KEY", "")
MOIM_VAPID_PUBLIC_KEY = os.environ.get("MOIM_VAPID_PUBLIC_KEY", "")
if bool(MOIM_VAPID_PRIVATE_KEY.strip()) != bool(MOIM_VAPID_PUBLIC_KEY.strip()):
    raise ImproperlyConfigured(
        "MOIM_VAPID_PRIVATE_KEY and MOIM_VAPID_PUBLIC_KEY are set together: "
        "set both (manage.py vapid_key prints a pair), or neither."
    )
# The push services' operators reach us here (the VAPID "sub" claim): a
# mailto: or https: URL; empty: mailto: the DEFAULT_FROM_EMAIL address.
MOIM_VAPID_CONTACT = os.environ.get("MOIM_VAPID_CONTACT", "")
# A push endpoint must be https; plain http to 127.0.0.1 only with this on
# (DEBUG, and the tests' own push server).
MOIM_PUSH_LOCAL_HTTP = env_bool("MOIM_PUSH_LOCAL_HTTP", DEBUG)
# Push service hosts a device may subscribe with besides the browsers' own
# (community.push.PUSH_HOSTS), comma-separated; ".example.com" allows its
# subdomains.
MOIM_PUSH_HOSTS = env_list("MOIM_PUSH_HOSTS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    # Personal calendar feed URLs carry a bearer token: every handler that
    # prints request paths masks it. There is one handler, the root's.
    "filters": {"feed_tokens": {"()": "events.log_masking.FeedTokenFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["feed_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (DEFAULT_LOGGING: the "django" logger's
        # console and admin mail, runserver's "django.server") know nothing
        # of the mask and would print a near-miss feed URL's token in their
        # "Not Found:" or request line: they are removed, and these loggers
        # pass their records to the root's handler, at Django's levels.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # redis-py gives this logger a bare handler of its own the first time
        # a connection handles a push message, unless the logger exists.
        "push_response": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}

"""config/settings.py runs with nothing set (embedded) and switches each
integration on when its variable is present.

Each test executes the settings file afresh under a controlled environment
and inspects the module namespace it produces; Django's own loaded settings
are not touched.
"""

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = ROOT / "config" / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"
ONE_YEAR = 60 * 60 * 24 * 365

READ_VARIABLE = re.compile(
    r'(?:os\.environ\.get|os\.getenv|env_bool|env_int|env_list)\(\s*"([A-Z0-9_]+)"'
)


def variables_read_by_settings() -> set[str]:
    return set(READ_VARIABLE.findall(SETTINGS_FILE.read_text()))


def variables_documented() -> set[str]:
    return set(re.findall(r"^([A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))


@pytest.fixture
def load_settings(monkeypatch):
    """``load_settings(VAR=value, ...)``: the settings namespace produced with
    exactly these variables set (the suite's own, e.g. DATABASE_URL, are
    removed first)."""

    def load(**env):
        for name in variables_read_by_settings() | variables_documented():
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


# --- Nothing set: the embedded default ---------------------------------------


def test_nothing_set_uses_a_sqlite_file(load_settings):
    database = load_settings()["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert str(database["NAME"]).endswith(".sqlite3")


def test_nothing_set_uses_the_in_memory_channel_layer(load_settings):
    layers = load_settings()["CHANNEL_LAYERS"]

    assert layers["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def test_nothing_set_uses_the_local_memory_cache(load_settings):
    caches = load_settings()["CACHES"]

    assert (
        caches["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    )


def test_nothing_set_prints_mail_on_the_console(load_settings):
    namespace = load_settings()

    assert namespace["MAILERS"]["default"]["BACKEND"] == (
        "community.mail_backends.ConsoleBackend"
    )


def test_nothing_set_queues_tasks_in_the_database(load_settings):
    tasks = load_settings()["TASKS"]

    assert tasks["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def test_nothing_set_runs_in_debug_mode_on_local_hosts(load_settings):
    namespace = load_settings()

    assert namespace["DEBUG"] is True
    assert "127.0.0.1" in namespace["ALLOWED_HOSTS"]
    assert "localhost" in namespace["ALLOWED_HOSTS"]


def test_nothing_set_speaks_korean_in_seoul_time(load_settings):
    namespace = load_settings()

    assert namespace["LANGUAGE_CODE"] == "ko"
    assert namespace["TIME_ZONE"] == "Asia/Seoul"
    assert [code for code, _ in namespace["LANGUAGES"]] == ["ko", "en"]


def test_sqlite_path_moves_the_database_file(load_settings, tmp_path):
    path = tmp_path / "moim.sqlite3"

    database = load_settings(SQLITE_PATH=str(path))["DATABASES"]["default"]

    assert database["NAME"] == str(path)


# --- DATABASE_URL ------------------------------------------------------------


@pytest.fixture
def postgres_settings(load_settings):
    return load_settings(DATABASE_URL="postgres://moim:s3cret@db.internal:5433/moim")


def test_database_url_switches_to_postgresql(postgres_settings):
    database = postgres_settings["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "moim"
    assert database["HOST"] == "db.internal"
    assert database["PORT"] == 5433
    assert database["USER"] == "moim"
    assert database["PASSWORD"] == "s3cret"


def test_postgresql_uses_a_connection_pool_not_persistent_connections(
    postgres_settings,
):
    # Persistent connections are held per ASGI worker thread and exhaust
    # PostgreSQL under load; psycopg's pool bounds them per process.
    database = postgres_settings["DATABASES"]["default"]

    assert database["CONN_MAX_AGE"] == 0
    assert (
        database["OPTIONS"]["pool"]["max_size"]
        >= database["OPTIONS"]["pool"]["min_size"]
    )


def test_the_pool_size_follows_its_variables(load_settings):
    namespace = load_settings(
        DATABASE_URL="postgres://moim@127.0.0.1/moim",
        DATABASE_POOL_MIN="1",
        DATABASE_POOL_MAX="4",
    )

    pool = namespace["DATABASES"]["default"]["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"]) == (1, 4)


# --- REDIS_URL ---------------------------------------------------------------


def test_redis_url_switches_the_channel_layer_to_redis(load_settings):
    layer = load_settings(REDIS_URL="redis://cache.internal:6380/2")["CHANNEL_LAYERS"][
        "default"
    ]

    assert layer["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert layer["CONFIG"]["hosts"] == ["redis://cache.internal:6380/2"]


def test_the_core_redis_channel_layer_can_be_chosen(load_settings):
    layer = load_settings(
        REDIS_URL="redis://cache.internal:6380/2", MOIM_CHANNEL_LAYER="core"
    )["CHANNEL_LAYERS"]["default"]

    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"


def test_redis_url_switches_the_cache_to_redis(load_settings):
    cache = load_settings(REDIS_URL="redis://cache.internal:6380/2")["CACHES"][
        "default"
    ]

    assert cache["BACKEND"] == "config.cache.SharedRedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6380/2"


def test_redis_cache_backends_share_one_client():
    # Under ASGI every request gets a cache backend of its own; they must not
    # each build a client and a connection pool (a new TCP connection).
    from django.core.cache.backends.redis import RedisCache

    from config.cache import SharedRedisCache

    params = {"OPTIONS": {"socket_timeout": 1}}
    first = SharedRedisCache("redis://cache.internal:6380/2", params)
    second = SharedRedisCache("redis://cache.internal:6380/2", params)
    other = SharedRedisCache("redis://cache.internal:6380/3", params)
    assert isinstance(first, RedisCache)
    assert first is not second
    assert first._cache is second._cache
    assert other._cache is not first._cache


def test_redis_cache_calls_share_one_redis_client():
    # Django's client builds a redis.Redis (a few hundred response callbacks)
    # for every call; one per pool serves them all. No server is contacted.
    from config.cache import SharedRedisCache

    cache = SharedRedisCache("redis://cache.internal:6380/4", {"OPTIONS": {}})
    client = cache._cache.get_client("a", write=True)
    assert cache._cache.get_client("b", write=True) is client
    assert cache._cache.get_client("c") is client


# --- EMAIL_URL ---------------------------------------------------------------


def test_email_url_switches_to_smtp_with_starttls(load_settings):
    mailer = load_settings(EMAIL_URL="smtp+tls://u:p@h:587")["MAILERS"]["default"]

    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"]["host"] == "h"
    assert mailer["OPTIONS"]["port"] == 587
    assert mailer["OPTIONS"]["username"] == "u"
    assert mailer["OPTIONS"]["password"] == "p"
    assert mailer["OPTIONS"]["use_tls"] is True
    assert mailer["OPTIONS"]["use_ssl"] is False


def test_email_url_with_ssl_uses_implicit_tls_on_port_465(load_settings):
    namespace = load_settings(EMAIL_URL="smtp+ssl://u:p@smtp.example.com")
    options = namespace["MAILERS"]["default"]["OPTIONS"]

    assert options["port"] == 465
    assert options["use_ssl"] is True
    assert options["use_tls"] is False


def test_email_url_credentials_may_be_percent_encoded(load_settings):
    namespace = load_settings(
        EMAIL_URL="smtp+tls://mailer%40moim.kr:p%40ss%2Fword@smtp.example.com:587"
    )
    options = namespace["MAILERS"]["default"]["OPTIONS"]

    assert options["username"] == "mailer@moim.kr"
    assert options["password"] == "p@ss/word"


# --- DJANGO_DEBUG off --------------------------------------------------------


# With DEBUG off the settings refuse to load without a real key
# (tests/config/test_secret_key.py).
PRODUCTION_KEY = "a-production-secret-" + "x7" * 30


@pytest.fixture
def production_settings(load_settings):
    return load_settings(DJANGO_DEBUG="0", SECRET_KEY=PRODUCTION_KEY)


def test_debug_off_turns_debug_off(production_settings):
    assert production_settings["DEBUG"] is False


def test_debug_off_makes_cookies_secure(production_settings):
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["CSRF_COOKIE_SECURE"] is True
    assert production_settings["LANGUAGE_COOKIE_SECURE"] is True


def test_debug_off_sends_hsts_for_at_least_a_year(production_settings):
    assert production_settings["SECURE_HSTS_SECONDS"] >= ONE_YEAR
    assert production_settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_debug_off_redirects_plain_http_to_https(production_settings):
    assert production_settings["SECURE_SSL_REDIRECT"] is True


def test_debug_off_trusts_no_host_by_default(production_settings):
    assert production_settings["ALLOWED_HOSTS"] == []


@pytest.mark.parametrize(
    ("site_url", "scheme"),
    [("https://moim.example.com", "https"), ("http://localhost:8000", "http")],
)
def test_links_in_account_mail_use_the_scheme_of_the_site_url(
    load_settings, site_url, scheme
):
    # A link in mail must open: the site's own address says how (moim.W003
    # flags a SITE_URL the site does not answer to).
    namespace = load_settings(
        DJANGO_DEBUG="0", SECRET_KEY=PRODUCTION_KEY, SITE_URL=site_url
    )

    assert namespace["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == scheme


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", ""])
def test_debug_stays_on_for_true_or_empty_values(load_settings, value):
    assert load_settings(DJANGO_DEBUG=value)["DEBUG"] is True


# --- Hosts, origins, keys, proxies -------------------------------------------


def test_allowed_hosts_is_a_comma_separated_list(load_settings):
    namespace = load_settings(ALLOWED_HOSTS="moim.example.com, www.moim.example.com")

    assert namespace["ALLOWED_HOSTS"] == ["moim.example.com", "www.moim.example.com"]


def test_csrf_trusted_origins_is_a_comma_separated_list(load_settings):
    namespace = load_settings(
        CSRF_TRUSTED_ORIGINS="https://moim.example.com,https://admin.moim.example.com"
    )

    assert namespace["CSRF_TRUSTED_ORIGINS"] == [
        "https://moim.example.com",
        "https://admin.moim.example.com",
    ]


def test_secret_key_comes_from_the_environment(load_settings):
    assert load_settings(SECRET_KEY="k" * 60)["SECRET_KEY"] == "k" * 60


def test_trusted_proxy_count_sets_allauths_trusted_proxy_count(load_settings):
    assert load_settings(TRUSTED_PROXY_COUNT="2")["ALLAUTH_TRUSTED_PROXY_COUNT"] == 2


def test_without_a_trusted_proxy_count_no_forwarded_address_is_trusted(
    load_settings,
):
    assert load_settings()["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0


# --- .env.example ------------------------------------------------------------


def test_every_variable_the_settings_read_is_in_env_example():
    # SQLITE_TEST_PATH only places the test database; it is not configuration.
    undocumented = variables_read_by_settings() - variables_documented()

    assert undocumented - {"SQLITE_TEST_PATH"} == set()


def test_every_variable_in_env_example_has_an_explanation():
    # A comment may explain a group of related variables (the pool sizes).
    variable = re.compile(r"^[A-Z0-9_]+=")
    lines = ENV_EXAMPLE.read_text().splitlines()
    for number, line in enumerate(lines):
        if variable.match(line):
            above = number - 1
            while above >= 0 and variable.match(lines[above]):
                above -= 1
            assert above >= 0 and lines[above].startswith("#"), line


# --- Sign-in with Kakao, Naver and Google ---------------------------------------


def test_nothing_set_switches_no_social_provider_on(load_settings):
    namespace = load_settings()

    assert all("APP" not in c for c in namespace["SOCIALACCOUNT_PROVIDERS"].values())
    assert namespace["SECURE_CSP"]["form-action"] == ["'self'"]


def test_a_social_provider_is_on_with_its_id_and_secret(load_settings):
    namespace = load_settings(KAKAO_CLIENT_ID="id", KAKAO_CLIENT_SECRET="secret")

    providers = namespace["SOCIALACCOUNT_PROVIDERS"]
    assert providers["kakao"]["APP"] == {"client_id": "id", "secret": "secret"}
    assert "APP" not in providers["naver"] and "APP" not in providers["google"]
    # Its sign-in form's redirect to Kakao is allowed, and only that one.
    form_action = namespace["SECURE_CSP"]["form-action"]
    assert "https://kauth.kakao.com" in form_action
    assert "https://nid.naver.com" not in form_action


def test_half_a_social_provider_refuses_to_start(load_settings):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="NAVER_CLIENT_SECRET"):
        load_settings(NAVER_CLIENT_ID="id")


# --- Uploaded pictures ---------------------------------------------------------


def test_nothing_set_keeps_pictures_in_a_local_directory(load_settings):
    loaded = load_settings()

    default = loaded["STORAGES"]["default"]
    assert default["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert loaded["MEDIA_ROOT"].endswith("media")
    assert loaded["SERVE_MEDIA"] is True


def test_s3_bucket_stores_pictures_in_that_bucket_and_lets_pages_show_them(
    load_settings,
):
    loaded = load_settings(
        S3_BUCKET="moim-media",
        S3_ENDPOINT_URL="https://kr.object.example:8443",
        S3_REGION="kr-standard",
    )

    default = loaded["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "moim-media"
    assert default["OPTIONS"]["endpoint_url"] == "https://kr.object.example:8443"
    assert default["OPTIONS"]["querystring_auth"] is False
    assert "https://kr.object.example:8443" in loaded["SECURE_CSP"]["img-src"]
    # The private storage (members' data exports) never moves to the bucket.
    assert loaded["STORAGES"]["private"]["BACKEND"].endswith("FileSystemStorage")


def test_the_s3_storage_class_is_installed_with_the_locks():
    from storages.backends.s3 import S3Storage

    storage = S3Storage(bucket_name="moim-media", querystring_auth=False)
    assert storage.url("avatars/abc-96.webp").endswith("/avatars/abc-96.webp")

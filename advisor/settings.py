"""Settings for Crossroads, read from the environment with defaults that run locally.

Environment variables:
    DEBUG           "1"/"true" for development (`make run` sets it), "0"/"false" (the
                    default) in production.
    SECRET_KEY      required when DEBUG is off (`manage.py advise`, which signs nothing,
                    runs without it).
    ALLOWED_HOSTS   comma-separated host names (localhost names by default in DEBUG).
    DATABASE_URL    e.g. postgres://user:pass@host:5432/crossroads; SQLite file by default.
    CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://crossroads.example.com.
    STATIC_ROOT     where collectstatic puts files (./staticfiles by default).
    SECURE_SSL_REDIRECT   "false" when TLS is terminated by a proxy that already redirects.

Database timeouts (seconds; 0 turns one off):
    DB_CONNECT_TIMEOUT    how long connecting may take (2; PostgreSQL's floor is 2).
    DB_STATEMENT_TIMEOUT  how long one statement may run (15): PostgreSQL's
                          statement_timeout, and how long SQLite waits for a lock. It applies
                          to management commands too: set 0 to run an unusually long migration.
    DB_CLIENT_DEADLINE    how long a request waits on one query before it gives up on the
                          server and answers 503 (DB_STATEMENT_TIMEOUT + 2): it only ever cuts
                          off a server too hung to enforce its own statement timeout.
    DB_HEALTH_CHECK_DEADLINE  how long /healthz, and each request's check of a connection kept
                          from an earlier request, wait for SELECT 1 (1.5; above 0).
    A database that cannot be reached answers 503 (templates/503.html, Retry-After), never
    500, and the next request connects afresh (advisor.middleware.database).

Requests:
    REQUEST_MAX_BODY_BYTES  the largest request body (1 MB), refused with 413 before it is
                          read; it also caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE). Only
                          views marked @accepts_uploads take files, up to their own setting
                          (the import: IMPORT_MAX_UPLOAD_BYTES) on top of it.
    DATA_UPLOAD_MAX_NUMBER_FIELDS  fields in one form or query string (1000).

Teams:
    INVITATION_DAYS       how many days an invitation can be accepted (14).
    A NUL or bytes that are not UTF-8 in the path, query string or URL-encoded form fields
    answer 400, and so does a request declaring a character set other than UTF-8. The fields
    of a multipart form (the import's) are decoded by Django itself, which turns bytes that
    are not UTF-8 into replacement characters (�) rather than refusing them; only a NUL in
    them answers 400.

Signing in (django-axes): failures are counted per account and per client address; past
the limit, sign-ins for that account or from that address answer 429 until the cool-off
ends. The app's login page and the admin's are both covered.
    AXES_FAILURE_LIMIT    failures before a lockout (5).
    AXES_COOLOFF_MINUTES  how long a lockout lasts, and how long failures are remembered (15).
    TRUSTED_PROXY_COUNT   reverse proxies in front of the app that append the client's address
                          to X-Forwarded-For (0: the connection's address is the client's).
                          Set it to exactly the number of proxies: with too many, clients could
                          choose their own address; with too few, everyone behind the
                          proxy shares one.

Responses carry a Content-Security-Policy allowing only the app's own origin (no inline
script or style), and `Cache-Control: private, no-store` when a signed-in person's request
did not set its own caching.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_number(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number from 0 up, not {value!r}") from None
    if not 0 <= number < float("inf"):
        raise ImproperlyConfigured(f"{name} must be a number from 0 up, not {value!r}")
    return number


def env_int(name: str, default: int) -> int:
    number = env_number(name, default)
    if number != int(number):
        raise ImproperlyConfigured(f"{name} must be a whole number, not {number!r}")
    return int(number)


# `manage.py advise FILE` scores answers from a file: it signs nothing and needs no key.
COMMANDS_WITHOUT_SECRETS = {"advise"}

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "django-insecure-local-development-key-not-for-production"
    elif len(sys.argv) > 1 and sys.argv[1] in COMMANDS_WITHOUT_SECRETS:
        pass  # Django refuses any use of an empty key
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. (For local development, set DEBUG=true.)"
        )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_tasks_db",
    "axes",
    "advisor",
    "decisions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Outside everything that can answer a page, so it sees every response.
    "advisor.middleware.PrivateCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the path, the query string or the database.
    "advisor.middleware.UnreadableInputMiddleware",
    # Around the session, so a session read or saved on an unreachable database answers 503.
    "advisor.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Refuses a body from its size before reading it, then its unreadable fields; above
    # CsrfViewMiddleware, which reads the form.
    "advisor.middleware.RequestBodyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "advisor.middleware.HtmxLoginRedirectMiddleware",
    # Last, as django-axes asks: it turns a lockout into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "advisor.urls"
WSGI_APPLICATION = "advisor.wsgi.application"
ASGI_APPLICATION = "advisor.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "advisor.context_processors.current_team",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DB_CONNECT_TIMEOUT = env_number("DB_CONNECT_TIMEOUT", 2)
DB_STATEMENT_TIMEOUT = env_number("DB_STATEMENT_TIMEOUT", 15)
DB_CLIENT_DEADLINE = env_number(
    "DB_CLIENT_DEADLINE", DB_STATEMENT_TIMEOUT + 2 if DB_STATEMENT_TIMEOUT else 0
)
DB_HEALTH_CHECK_DEADLINE = env_number("DB_HEALTH_CHECK_DEADLINE", 1.5)
if not DB_HEALTH_CHECK_DEADLINE:
    raise ImproperlyConfigured("DB_HEALTH_CHECK_DEADLINE must be above 0.")
_database_options = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Values given in DATABASE_URL's query string win.
    if DB_CONNECT_TIMEOUT:
        _database_options.setdefault("connect_timeout", max(round(DB_CONNECT_TIMEOUT), 1))
    if DB_STATEMENT_TIMEOUT:
        statement_timeout = f"-c statement_timeout={round(DB_STATEMENT_TIMEOUT * 1000)}"
        _database_options["options"] = " ".join(
            filter(None, [_database_options.get("options", ""), statement_timeout])
        )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead logging lets readers and one writer work at once, and NORMAL sync commits
    # without waiting for the disk on every write (a crash loses at most the last commits).
    _database_options.update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        transaction_mode="IMMEDIATE",
        # How long a statement waits for another connection's write lock.
        timeout=DB_STATEMENT_TIMEOUT or 5,
    )
    # Tests use a file too (not the in-memory default), so concurrent transactions behave
    # as they do in the running app: waiting on the write lock instead of failing. One file
    # per test run, so two runs in one checkout never share (and corrupt) a database.
    DATABASES["default"].setdefault(
        "TEST", {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first (memory-hard, and about a third of PBKDF2's CPU per sign-in here); hashes made
# with the others still verify and are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_number("AXES_COOLOFF_MINUTES", 15))
if AXES_FAILURE_LIMIT < 1 or not AXES_COOLOFF_TIME:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be above 0.")
# Either one locks: an account tried from many addresses, or an address trying many accounts.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Failures are forgotten only after the cool-off: resetting them on a successful sign-in
# would also reset the address's count, so an attacker with an account of their own could
# sign into it between guesses at someone else's.
AXES_RESET_ON_SUCCESS = False
# A lockout ends AXES_COOLOFF_MINUTES after the failure that caused it: attempts refused
# during it do not start it again (django-axes would, by default), or anyone could keep an
# account locked forever with one wrong password every few minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "advisor.middleware.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "advisor.middleware.throttling.client_address"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# How many days an invitation to a team can be accepted.
INVITATION_DAYS = env_int("INVITATION_DAYS", 14)
# Axes would also keep a row for every successful sign-in, forever; only failures matter.
AXES_DISABLE_ACCESS_LOG = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Drawn system maps, keyed by a digest of what they show: each app process keeps the last
# few it drew (a redraw costs Graphviz's layout time, not a query), so no shared cache is
# needed when several app servers run.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "maps": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "system-maps",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 64},
    },
}

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # The manifest storage needs collectstatic, which test and development servers never run.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Whole-log exports run on the task worker (`manage.py db_worker`); their files are kept in
# the database for this long, and a running export whose worker stops beating for this long
# is queued again.
EXPORT_FILES_KEEP_HOURS = int(os.environ.get("EXPORT_FILES_KEEP_HOURS", "24"))
EXPORT_STALE_AFTER_SECONDS = int(os.environ.get("EXPORT_STALE_AFTER_SECONDS", "120"))

# Importing ADR files: what one upload may hold (see decisions.archive).
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_FILES = int(os.environ.get("IMPORT_MAX_FILES", "5000"))
IMPORT_MAX_FILE_BYTES = int(os.environ.get("IMPORT_MAX_FILE_BYTES", str(1024 * 1024)))
IMPORT_MAX_TOTAL_BYTES = int(os.environ.get("IMPORT_MAX_TOTAL_BYTES", str(100 * 1024 * 1024)))
IMPORT_MAX_RATIO = int(os.environ.get("IMPORT_MAX_RATIO", "200"))

# Request bodies: see advisor.middleware.requests.
REQUEST_MAX_BODY_BYTES = env_int("REQUEST_MAX_BODY_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)

# Only the app's own origin. Bootstrap draws its form controls with data: images. No nonce:
# the admin's only inline <style> (a change list with actions_on_top and actions_on_bottom
# both off, which no admin here sets) would need the `csp` context processor, and with it
# django-htmx's script tag would put a nonce on every page.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Log through the root handler only (once), and 4xx answers without tracebacks:
        # a refused or missing page is the app working as intended.
        "django": {"handlers": [], "propagate": True},
        "django.request": {"level": "ERROR"},
        # WeasyPrint narrates every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        # django-axes narrates every sign-in at INFO; its warnings (failures, lockouts) stay.
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The load balancer probes /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

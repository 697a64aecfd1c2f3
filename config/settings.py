"""Engawa's one settings module.

Everything comes from environment variables with embedded defaults, so that nothing set means
the embedded mode of DESIGN.md (SQLite, in-memory channel layer, eager Celery, console e-mail)
and ``ENGAWA_ENV=production`` means the production shape, which refuses to start without its
secrets and services.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets ModelAdmin[Model] and friends be subscripted at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


class _Env(environ.Env):
    """django-environ, with a value it cannot read (``HTTP_THREADS=ten``) refused in words that
    name the variable, instead of a bare ValueError from inside its parser."""

    def get_value(self, var: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().get_value(var, *args, **kwargs)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{var}={self.ENVIRON.get(var, '')!r} cannot be read: {error}"
            ) from error


env = _Env()

ENGAWA_ENV = env.str("ENGAWA_ENV", default="development")
if ENGAWA_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"ENGAWA_ENV must be 'development' or 'production', not {ENGAWA_ENV!r}"
    )
PRODUCTION = ENGAWA_ENV == "production"

if PRODUCTION:
    _missing = [
        name
        # EMAIL_URL too: without it mail would go to the console, and nobody would hear of
        # their proposals.
        for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL")
        if not env.str(name, default="").strip()
    ]
    if _missing:
        raise ImproperlyConfigured(
            "Production settings (ENGAWA_ENV=production) need these environment variables, "
            "which are not set: " + ", ".join(_missing)
        )

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
# The development key is only ever used when ENGAWA_ENV is not production (checked above).
SECRET_KEY = env.str("SECRET_KEY", default="engawa-development-only-key-never-used-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "channels",
    "axes",
    "csp",
    "accounts",
    "matching",
    "chat",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# HTTP requests one server process runs at once, each on a thread of its own (config/http.py);
# more wait their turn. As many as the database pool has connections; 0: no limit.
HTTP_THREADS = env.int("HTTP_THREADS", default=10)
if HTTP_THREADS < 0:
    raise ImproperlyConfigured(f"HTTP_THREADS must be 0 (no limit) or more, got {HTTP_THREADS}")
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'engawa.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, eager tasks and sockets share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    # Under ASGI Django runs each request's sync code in a thread of its own, so a connection
    # kept per thread (CONN_MAX_AGE > 0) is never reused and lingers until the dead thread is
    # collected. psycopg's pool (Django 5.1+) hands connections from thread to thread instead;
    # it needs CONN_MAX_AGE 0. DB_POOL_SIZE=0 turns it off (e.g. behind PgBouncer).
    _pool_size = env.int("DB_POOL_SIZE", default=10)
    _conn_max_age = env.int("CONN_MAX_AGE", default=0)
    if _pool_size > 0:
        if _conn_max_age:
            raise ImproperlyConfigured(
                "CONN_MAX_AGE must be 0 while the connection pool is on (DB_POOL_SIZE > 0); "
                "set DB_POOL_SIZE=0 to keep persistent connections instead"
            )
        _check_after = env.float("DB_POOL_CHECK_AFTER", default=1.0)
        if _check_after < 0:
            raise ImproperlyConfigured(
                f"DB_POOL_CHECK_AFTER must be 0 or more seconds, got {_check_after}"
            )
        # Next to any options DATABASE_URL carries (?sslmode=require, ...).
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, _pool_size),
            "max_size": _pool_size,
            # A request waits this long for a free connection before failing.
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        }
        # Django's backend with one change: a pooled connection is probed (one round trip) as
        # it is handed out only when it has sat unused this long. A restarted PostgreSQL costs
        # no failed request once its connections have been idle, and a busy server pays no
        # probe per request. DB_POOL_CHECK_AFTER=0 probes on every hand-out.
        DATABASES["default"]["ENGINE"] = "config.postgres"
        DATABASES["default"]["POOL_CHECK_AFTER"] = _check_after
        # Prepared statements: PostgreSQL spends 0.3-0.8 ms planning each of the hand-written
        # list reads, several times what running them costs. This process's pool keeps its
        # connections, so a statement prepared on one stays valid (behind PgBouncer in
        # transaction mode it would not: DB_POOL_SIZE=0 leaves both off, Django's default).
        # Server-side binding is what lets psycopg prepare; a query is prepared on a
        # connection once it has run there DB_PREPARE_THRESHOLD times.
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = env.int(
            "DB_PREPARE_THRESHOLD", default=5
        )
    DATABASES["default"]["CONN_MAX_AGE"] = _conn_max_age
    # Without the pool, Django checks a persistent connection before a request reuses it.
    # With it, Django's check would probe on every hand-out: config.postgres checks instead.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = _pool_size == 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and passwords ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:dashboard"
LOGOUT_REDIRECT_URL = "frontend:home"
WS_TICKET_TTL_SECONDS = 60
# An API token unused for this many days dies (its use is recorded at most hourly).
API_TOKEN_IDLE_DAYS = env.int("API_TOKEN_IDLE_DAYS", default=30)
if API_TOKEN_IDLE_DAYS < 1:
    raise ImproperlyConfigured(f"API_TOKEN_IDLE_DAYS must be 1 or more, got {API_TOKEN_IDLE_DAYS}")
# A link to confirm an e-mail address works for this many days.
EMAIL_VERIFICATION_DAYS = env.int("EMAIL_VERIFICATION_DAYS", default=3)
if EMAIL_VERIFICATION_DAYS < 1:
    raise ImproperlyConfigured(
        f"EMAIL_VERIFICATION_DAYS must be 1 or more, got {EMAIL_VERIFICATION_DAYS}"
    )

# Login throttling (django-axes): the 6th failure within 15 minutes for an account or an
# address is refused.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.throttling.username_from_credentials"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# In development, files are served straight from the apps; production serves collected ones.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- REST framework and the schema -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    # Writes are limited per user on every endpoint; the log-in and sign-up endpoints add "auth".
    "DEFAULT_THROTTLE_CLASSES": ["config.api.WriteRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("THROTTLE_AUTH", default="20/min"),
        "writes": env.str("THROTTLE_WRITES", default="120/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Engawa API",
    "DESCRIPTION": "Home visits and language exchange: profiles, rounds, proposals and chat.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Swagger UI served from our own static files: no CDN, and the CSP stays strict.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema_postprocess",
    ],
    # Several models have a "status"; each gets its own, stable name in the schema.
    "ENUM_NAME_OVERRIDES": {
        # Programmes and conversations share one choice set: open or closed.
        "OpenClosedStatusEnum": "matching.models.Program.Status",
        "ApplicationStatusEnum": "matching.models.Application.Status",
        "RoundStatusEnum": "matching.models.Round.Status",
        "ProposalStatusEnum": "matching.models.Proposal.Status",
        "ReportStatusEnum": "chat.models.Report.Status",
        # A programme's kind is read and written: one name for both.
        "ProgramKindEnum": "matching.models.Program.Kind",
    },
}

# --- Redis, channels, Celery --------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# What the cache's and the channel layer's keys start with (then a colon): deployments, or test
# processes, that share a Redis database keep apart.
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="engawa")
# redis-py would take 0 for its own default (100) and refuse a negative one at the first send.
_layer_connections = env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=1000)
if _layer_connections < 1:
    raise ImproperlyConfigured(
        f"CHANNEL_LAYER_MAX_CONNECTIONS must be 1 or more, got {_layer_connections}"
    )
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis's layer, minus its queue per closed socket (config/channel_layer.py).
            "BACKEND": "config.channel_layer.RedisChannelLayer",
            "CONFIG": {
                # channels_redis waits for events with a 5 s BZPOPMIN, and redis-py's default
                # socket_timeout is 5 s too: an idle receive timed out on the client first and
                # took its socket down (one socket about every 5 s per idle server process).
                # The read has to outlast the blocking call.
                # redis-py caps a pool at 100 connections unless told, and every send in flight
                # holds one: past that, sends are refused ("Too many connections") and the
                # sockets that made them close. A burst while Redis is slow needs more.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 15,
                        "max_connections": _layer_connections,
                    }
                ],
                # expiry: how long an unread message waits in a socket's queue; a socket that
                # slow has missed it, and resume or the gap fill recovers it from the database.
                # group_expiry matches daphne's socket lifetime (websocket_timeout, 24 h); the
                # chat consumers re-join their groups hourly for servers without that limit.
                # capacity: a full queue drops, and the same recovery applies.
                "capacity": 1500,
                "expiry": 60,
                "group_expiry": 86400,
                "prefix": f"{REDIS_KEY_PREFIX}:asgi",
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 20 * 60),
    # A task whose worker died goes back to the queue at a sweep for unacknowledged messages:
    # kombu sweeps every 10 s but scans Redis only every 10th time, so a round could show
    # "running" for 100 s past the visibility timeout. One scan a sweep costs one ZRANGE.
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = TIME_ZONE
# Each app keeps its periodic tasks beside its code (``<app>/schedule.py``); beat runs them all:
# ticket sweeps, proposal expiry and reminders, retention, chat digests.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
for _app in ("accounts", "matching", "chat"):
    CELERY_BEAT_SCHEDULE.update(import_module(f"{_app}.schedule").BEAT_SCHEDULE)
# One queue per deployment, or per integration test that starts its own worker and beat.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Engawa <noreply@engawa.example>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the chat page's JS reads it for POSTs
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", "ws:", "wss:"] if not PRODUCTION else ["'self'", "wss:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # One JSON object a line: what log shippers parse without a pattern per message.
        "structured": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}

# --- Engawa's own ---------------------------------------------------------------------------
RETENTION_DAYS = env.int("RETENTION_DAYS", default=180)
CHAT_MAX_BODY = 2000
CHAT_RATE_PER_SECOND = 5
# Threads per server process for the WebSocket consumers' queries (each keeps a connection).
WEBSOCKET_DB_THREADS = env.int("WEBSOCKET_DB_THREADS", default=8)
# A server process hands its free heap back to the OS once its open sockets fall to half a peak
# of at least this many (config/memory.py); 0 never does.
WEBSOCKET_TRIM_MIN_PEAK = env.int("WEBSOCKET_TRIM_MIN_PEAK", default=100)
# A server process collects its youngest generation of objects after this many new ones instead
# of Python's 700, and exempts what it holds once set up from full collections
# (config/memory.py); 0 keeps Python's defaults.
GC_THRESHOLD0 = env.int("GC_THRESHOLD0", default=10_000)

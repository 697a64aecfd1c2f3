"""Engawa's one settings module, read from environment variables: nothing set is the embedded
mode of DESIGN.md; ``ENGAWA_ENV=production`` refuses to start without its secrets and services.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

from accounts.languages import LANGUAGES  # noqa: F401  # the setting: seven languages, ja-easy

django_stubs_ext.monkeypatch()  # ModelAdmin[Model] and friends, as the type stubs expect

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
env = environ.Env()

ENGAWA_ENV = env.str("ENGAWA_ENV", default="development")
if ENGAWA_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"ENGAWA_ENV must be 'development' or 'production', not {ENGAWA_ENV!r}"
    )
PRODUCTION = ENGAWA_ENV == "production"

# EMAIL_URL too: without it mail would go to the console, and nobody would hear of proposals.
_REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL")
if PRODUCTION and (_missing := [n for n in _REQUIRED if not env.str(n, default="").strip()]):
    raise ImproperlyConfigured(
        "Production settings (ENGAWA_ENV=production) need these environment variables, "
        "which are not set: " + ", ".join(_missing)
    )

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str("SECRET_KEY", default="engawa-development-only-key-never-used-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)  # see accounts.client
AXES_CLIENT_IP_CALLABLE = "accounts.client.client_address"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
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
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
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

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'engawa.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    # psycopg's pool (DB_POOL_SIZE=0 turns it off, e.g. behind PgBouncer, for CONN_MAX_AGE).
    _pool_size = env.int("DB_POOL_SIZE", default=10)
    _conn_max_age = env.int("CONN_MAX_AGE", default=0)
    if _pool_size > 0:
        if _conn_max_age:
            raise ImproperlyConfigured(
                "CONN_MAX_AGE must be 0 while the connection pool is on (DB_POOL_SIZE > 0); "
                "set DB_POOL_SIZE=0 to keep persistent connections instead"
            )
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, _pool_size),
            "max_size": _pool_size,
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        }
    DATABASES["default"]["CONN_MAX_AGE"] = _conn_max_age
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

# django-axes locks an account after AXES_FAILURE_LIMIT failures in 15 minutes, from anywhere,
# and an address after LOGIN_ADDRESS_FAILURE_LIMIT on any accounts (accounts.throttling).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = "accounts.throttling.lockout_parameters"
AXES_USERNAME_CALLABLE = "accounts.throttling.username_from_credentials"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# English, the source language, is the language Django falls back to for a message a
# catalogue lacks (easy Japanese first to Japanese: gettext chains ja_Easy to ja). The site's
# own default, for a visitor who names no language, is Japanese (accounts.languages).
LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Development serves the apps' files; production the collected ones.
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

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["accounts.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["accounts.api.throttles.WriteRateThrottle"],
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
    "SWAGGER_UI_DIST": "SIDECAR",  # our own static files: no CDN, a strict CSP
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema_postprocess",
    ],
    # A stable name for each model's "status" (programmes and conversations share one).
    "ENUM_NAME_OVERRIDES": {
        "OpenClosedStatusEnum": "matching.models.Program.Status",
        "ApplicationStatusEnum": "matching.models.Application.Status",
        "RoundStatusEnum": "matching.models.Round.Status",
        "ProposalStatusEnum": "matching.models.Proposal.Status",
        "ReportStatusEnum": "chat.models.Report.Status",
        # A programme's kind is read and written: one name for both.
        "ProgramKindEnum": "matching.models.Program.Kind",
        "RegistryStatusEnum": "accounts.api.standing.ALL_STATUSES",
        "IncidentStatusEnum": "matching.models.Incident.Status",
        "IncidentOutcomeEnum": "matching.models.Incident.Outcome",
        "SideEnum": ["student", "host"],  # an answer's side, an incident's "about"
        "GroupSideEnum": ["inviter", "invitee"],  # who sent an invitation to visit together
        "PetEnum": "accounts.models.Pet",  # a home's pets, the allergies and the pets to avoid
        "AttendanceOutcomeEnum": "matching.models.Attendance.Outcome",
        "ReofferOutcomeEnum": "matching.models.Reoffer.Outcome",
    },
}

REDIS_URL = env.str("REDIS_URL", default="")
# What the cache's and the channel layer's keys start with (then a colon): deployments, or test
# processes, that share a Redis database keep apart.
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="engawa")
_layer_connections = env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=1000)
if REDIS_URL:
    # The read outlasts channels_redis's 5 s blocking pop; each send in flight holds a
    # connection. A message the layer drops comes back from the database (resume, gap fill).
    _layer = {"address": REDIS_URL, "socket_timeout": 15, "max_connections": _layer_connections}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "chat.channel_layer.RedisChannelLayer",
            # group_expiry: daphne's socket lifetime.
            "CONFIG": {
                "hosts": [_layer],
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
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 20 * 60),
    # A dead worker's task is restored at the next sweep (10 s), not every tenth (100 s).
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
for _app in ("accounts", "matching", "chat"):
    CELERY_BEAT_SCHEDULE.update(import_module(f"{_app}.schedule").BEAT_SCHEDULE)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")

EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Engawa <noreply@engawa.example>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
EMERGENCY_CONTACT = env.str("EMERGENCY_CONTACT", default="")  # the association, on the visit day
_SITE_WSS = "wss://" + SITE_URL.split("//")[-1].split("/")[0]  # its sockets' origin

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
        "connect-src": ["'self'", _SITE_WSS] if PRODUCTION else ["'self'", "ws:", "wss:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # One JSON object a line, its time in ISO 8601 with the offset (UTC).
        "structured": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "timestamp": "time",
            "rename_fields": {"levelname": "level", "name": "logger"},
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Once each, through the root: "django" loses the plain console handler of Django's default
    # logging; a 4xx is in the access log (runserver's, the proxy's), only errors are repeated.
    "loggers": {
        "django": {"level": "INFO"},
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}

RETENTION_DAYS = env.int("RETENTION_DAYS", default=180)
CHAT_MAX_BODY = 2000
CHAT_RATE_PER_SECOND = 5

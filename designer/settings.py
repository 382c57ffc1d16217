"""Sluice settings, read from the environment so one build runs anywhere.

DATABASE_URL (default SQLite under var/), REDIS_URL (required at run time; the run and test
commands start an embedded server when it is unset), SECRET_KEY, DEBUG, ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SLUICE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean the way people write them in shells."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or "sluice-insecure-development-key-change-me"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_rq",
    "designer",
    "runtime",
]

# Django's own middleware, in subclasses that run on the event loop (designer/loop_middleware.py):
# the stock classes hand every hook to a thread under ASGI.
MIDDLEWARE = [
    "designer.loop_middleware.SecurityMiddleware",
    "designer.middleware.ApiJsonErrorsMiddleware",
    "designer.loop_middleware.StaticFilesMiddleware",
    "designer.loop_middleware.SessionMiddleware",
    "designer.loop_middleware.CommonMiddleware",
    "designer.loop_middleware.CsrfViewMiddleware",
    "designer.loop_middleware.AuthenticationMiddleware",
    "designer.loop_middleware.MessageMiddleware",
    "designer.loop_middleware.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "designer.urls"
ASGI_APPLICATION = "designer.asgi.application"

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
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'sluice.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db), conn_max_age=600, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, workers) share the file: WAL lets readers go on while one
    # writes, IMMEDIATE transactions avoid upgrade deadlocks, and designer.sqlite queues the
    # writers in order (SQLite's own busy handler sleeps up to 100 ms between tries).
    DATABASES["default"]["ENGINE"] = "designer.sqlite"
    # Connections are kept like PostgreSQL's (CONN_MAX_AGE above): a new one per job or request
    # paid the PRAGMAs, and closing the file's last one checkpoints the WAL (1-10 ms each).
    # The WAL is checkpointed by the reconciler loop every second (runtime/maintenance.py);
    # a connection does it itself only past 10,000 pages, as a backstop.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("SLUICE_TEST_DB", str(VAR_DIR / "test.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [REDIS_URL],
            "prefix": os.environ.get("SLUICE_CHANNEL_PREFIX", "sluice"),
            # Every websocket of a web process shares one Redis queue of pending events, and a
            # run sends ~30 of them at once: the default 100 silently dropped events (and
            # `execution.finished`) as soon as a few runs were watched together.
            "capacity": 1000,
        },
    }
}

RQ_QUEUES = {
    "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "/admin/login/"
LOGIN_REDIRECT_URL = "/designer/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"sluice": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}

# --- Sluice's own knobs (SPEC §3-§4) -------------------------------------------------------
SLUICE_SYNC_TIMEOUT_S = min(env_float("SYNC_TIMEOUT_S", 30.0), 300.0)
SLUICE_MAX_STEPS = int(os.environ.get("MAX_STEPS", "10000"))
SLUICE_MAX_DELAY_S = env_float("MAX_DELAY_S", 300.0)
SLUICE_HTTP_ALLOW_PRIVATE = env_bool("HTTP_ALLOW_PRIVATE", False)
SLUICE_LEASE_S = env_float("SLUICE_LEASE_S", 30.0)
SLUICE_BENCHMARK_BASELINE = env_bool("SLUICE_BENCHMARK_BASELINE", False)
SLUICE_WEBHOOK_SECRET = os.environ.get("WEBHOOK_SECRET") or f"webhook:{SECRET_KEY}"

"""Settings shared by every environment, read from the environment (12-factor)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files, never a CDN
    "axes",
    "csp",
    "django_celery_results",
    "django_celery_beat",
    "tca.accounts",
    "tca.instruments",
    "tca.orders",
    "tca.costs",
    "tca.jobs",
    "tca.marketdata",
    "tca.ingestion",
    "tca.pretrade",
    "tca.rfq",
    "tca.api",
    "models_app",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tca.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers a locked-out login itself
]

ROOT_URLCONF = "tca.urls"
WSGI_APPLICATION = "tca.wsgi.application"

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
                "tca.accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'footprint.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# API throttles and the report pages' filter choices live here: a Redis URL
# (CACHE_URL=redis://...) shares them between web processes.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Login lockout (django-axes): after AXES_FAILURE_LIMIT failed logins for one
# username from one address, that pair is refused until the cool-off ends.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)  # proxies in front, if any

# Sessions and CSRF: cookies never readable by scripts, sent same-site only;
# a working day's session. (Secure flags: production settings.)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # pages read the token from the form field, not the cookie
CSRF_COOKIE_SAMESITE = "Lax"

# Security headers. Scripts only from our own origin (no inline code); styles
# allow inline attributes because plotly.js positions chart elements with them.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:blotter"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "reports.finders.PlotlyFinder",  # plotly.js from the installed package, never a CDN
]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# Uploads: refuse oversize bodies before they are parsed (see docs/ingestion.md).
FOOTPRINT_MAX_UPLOAD_BYTES = env.int("FOOTPRINT_MAX_UPLOAD_BYTES", default=512 * 1024 * 1024)
# Rows per file (a Parquet file's footer is checked before it is decompressed).
FOOTPRINT_MAX_ROWS = env.int("FOOTPRINT_MAX_ROWS", default=50_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Market data lives in a columnar tick store, never in the relational database.
TICK_STORE_URL = env("TICK_STORE_URL", default=str(VAR_DIR / "ticks"))
# Model artifacts are content-addressed files, never overwritten.
MODEL_STORE_URL = env("MODEL_STORE_URL", default=str(VAR_DIR / "models"))
# Generated best-execution PDFs, kept with their SHA-256 (a folder).
REPORT_STORE_URL = env("REPORT_STORE_URL", default=str(VAR_DIR / "reports"))
# Orders whose IS exceeds this (bps) or this percentile of the scope are outliers.
FOOTPRINT_REPORT_OUTLIER_BPS = env.float("FOOTPRINT_REPORT_OUTLIER_BPS", default=50.0)
FOOTPRINT_REPORT_OUTLIER_PERCENTILE = env.float("FOOTPRINT_REPORT_OUTLIER_PERCENTILE", default=0.99)

# RFQ fairness: a quote is flagged when its markup is beyond this quantile of the
# model's distribution of the lit-market cost of the same order (docs/rfq.md).
FOOTPRINT_RFQ_FLAG_QUANTILE = env.float("FOOTPRINT_RFQ_FLAG_QUANTILE", default=0.95)

# TCA parameters users may tune (SPEC section 1-3 defaults).
TCA_QUOTE_STALENESS_SECONDS = env.float("TCA_QUOTE_STALENESS_SECONDS", default=300.0)
TCA_POST_HORIZON_SECONDS = env.float("TCA_POST_HORIZON_SECONDS", default=1800.0)

# --- Celery --------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker (the embedded default) tasks run in-process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_CACHE_BACKEND = "django-cache"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3 * 3600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
# Redelivery only after the longest task could have finished (acks_late).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 3600}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS
CELERY_TASK_DEFAULT_QUEUE = "tca"
CELERY_TASK_ROUTES = {
    "tca.*": {"queue": "tca"},
    "models_app.*": {"queue": "training"},
    "reports.*": {"queue": "reports"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Stranded jobs (tca.jobs.recovery): queued again after these, at most this many runs.
FOOTPRINT_JOB_PENDING_SECONDS = env.float("FOOTPRINT_JOB_PENDING_SECONDS", default=900.0)
FOOTPRINT_JOB_STALE_SECONDS = env.float("FOOTPRINT_JOB_STALE_SECONDS", default=1800.0)
FOOTPRINT_JOB_MAX_ATTEMPTS = env.int("FOOTPRINT_JOB_MAX_ATTEMPTS", default=3)
# Every worker sweeps once when it starts (a restarted worker picks its own jobs up).
FOOTPRINT_JOB_SWEEP_ON_START = env.bool("FOOTPRINT_JOB_SWEEP_ON_START", default=True)

# --- API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "tca.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    # Every endpoint needs a login, and DRF checks permissions before throttles, so
    # anonymous requests are refused before any work: one throttle, per user.
    "DEFAULT_THROTTLE_CLASSES": ["tca.api.throttling.UserRateThrottle"],
}
# Requests per user and period, across all endpoints; shared between web
# processes when a cache server is configured (CACHE_URL).
FOOTPRINT_API_RATE_USER = env("FOOTPRINT_API_RATE_USER", default="1200/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Footprint API",
    "DESCRIPTION": "Transaction cost analysis: ingestion, costs, models and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

"""Tests run against the real PostgreSQL and the real Redis broker."""

from .base import *

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/footprint"
    ),
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_TASK_ALWAYS_EAGER = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TICK_STORE_URL = env("TICK_STORE_URL", default=str(VAR_DIR / "test-ticks"))
MODEL_STORE_URL = env("MODEL_STORE_URL", default=str(VAR_DIR / "test-models"))

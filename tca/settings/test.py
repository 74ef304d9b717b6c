"""Tests run against the real PostgreSQL and the real Redis broker.

Each pytest process gets its own test database and broker key prefix, so
test runs on one machine (several developers, or CI beside a developer) never
share state.
"""

import os

from .base import *

_RUN = os.environ.get("FOOTPRINT_TEST_RUN", str(os.getpid()))

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/footprint"
    ),
}
DATABASES["default"]["TEST"] = {"NAME": f"test_footprint_{_RUN}"}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "global_keyprefix": f"footprint-test-{_RUN}:",
}
CELERY_TASK_ALWAYS_EAGER = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TICK_STORE_URL = env("TICK_STORE_URL", default=str(VAR_DIR / "test-ticks"))
MODEL_STORE_URL = env("MODEL_STORE_URL", default=str(VAR_DIR / "test-models"))
REPORT_STORE_URL = env("REPORT_STORE_URL", default=str(VAR_DIR / "test-reports"))
# The throttle stays on (its test lowers the rate) but never slows the suite down.
FOOTPRINT_API_RATE_USER = "1000000/min"
# The in-process test worker must not sweep the shared test database when it
# starts; the fault-injection tests start real workers that do.
FOOTPRINT_JOB_SWEEP_ON_START = env.bool("FOOTPRINT_JOB_SWEEP_ON_START", default=False)

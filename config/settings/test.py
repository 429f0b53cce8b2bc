"""Test settings: the real PostGIS and Redis from var/local.env, Celery eager."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES, DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Several checkouts (or several suites) may share one server: keep their databases apart.
DATABASES["default"]["TEST"] = {"NAME": f"test_laporwarga{os.environ.get('LW_TEST_DB_SUFFIX', '')}"}
DATABASES["default"]["CONN_MAX_AGE"] = 0
CACHES["default"]["KEY_PREFIX"] = f"lw-test{os.environ.get('LW_TEST_DB_SUFFIX', '')}"
MEDIA_ROOT = VAR_DIR / "test-media"
SMS_BACKEND = "apps.core.messaging.MemorySmsBackend"
PUSH_BACKEND = "apps.core.messaging.MemoryPushBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The suite also runs with the clock moved forward (scripts/test.sh; docs/conventions.md,
# "Time in tests"). Set here so that every process reading these settings moves together.
if os.environ.get("LW_TEST_CLOCK"):
    from config.test_clock import travel_from_env

    TEST_CLOCK = travel_from_env(os.environ["LW_TEST_CLOCK"])

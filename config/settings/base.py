"""Settings for Lapor Warga, read from the environment (see .env.example).

Values come from the process environment first, then from ``var/local.env`` that
``scripts/dev.sh`` writes for a development checkout (the real environment always wins).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
_env_file = env.str("LW_ENV_FILE", default=str(BASE_DIR / "var" / "local.env"))
if Path(_env_file).is_file():
    environ.Env.read_env(_env_file, overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
VAR_DIR = Path(env.str("LW_VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "apps.core.admin_site.LaporWargaAdminConfig",  # django.contrib.admin, our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "axes",
    "csp",
    # Lapor Warga, in dependency order (an app imports only from apps below it).
    "apps.core",
    "apps.accounts",
    "apps.routing",
    "apps.identity",
    "apps.cctv",
    "apps.reports",
    "apps.triage",
    "apps.sla",
    "apps.performance",
    "apps.dashboard",
    "apps.open311",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a locked-out login into a 429 page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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

DATABASES = {"default": env.db_url("DATABASE_URL", engine="django.contrib.gis.db.backends.postgis")}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
# Fail fast when PostgreSQL is unreachable: a request gets a 503, not a hung worker.
DATABASES["default"]["OPTIONS"].setdefault(
    "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", 5)
)
# GDAL < 3.9 (Debian 12 ships 3.6) cannot block file/network access from spatial references.
# We never hand user-supplied SRS strings or paths to GDAL: GeoJSON is parsed by GEOS and
# coordinates arrive as numbers (docs/adr/0003-spatial-types.md).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
# Server-side prepared statements, for the few hot statements that ask for one with
# ``prepare=True`` (apps/core/db.py: routing, and filing a report). Django's own cursors
# bind on the client and are never prepared; psycopg honours ``prepare=True`` only when a
# threshold is set, so a threshold no statement reaches leaves everything else as it was.
# Turn off behind a pooler in transaction mode.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASE_PREPARED_STATEMENTS:
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 1_000_000_000)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL")
# What Redis backs on the request path must fail fast and degrade, not wait (docs/operations.md,
# "When Redis is down"): the cache (DRF's throttles) answers "nothing cached" within a quarter
# of a second when Redis is unreachable (django-redis's IGNORE_EXCEPTIONS), so a throttle lets
# the request through; sessions and tokens live in PostgreSQL; the outbox publishes without
# retrying and stops trying for a while after a failure (apps/core/outbox.py).
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=0.25)
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="lw"),
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
            "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out usernames/addresses
    "apps.accounts.backends.StaffPasswordBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password guessing (django-axes, docs/security.md): every password sign-in (admin login, the
# staff token) counts failures per username and per client address; at the limit both are
# locked for AXES_COOLOFF_TIME. An administrator unlocks with `manage.py axes_reset_username
# <name>` / `axes_reset_ip <address>` or by deleting the access attempt in the admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each one on its own
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "axes/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "apps.accounts.backends.client_ip"  # as DRF, with NUM_PROXIES
AXES_SENSITIVE_PARAMETERS = ["password", "api_key", "token"]
# Object permissions are granted on Agency rows only; a model-level permission never
# widens a user's scope (docs/architecture.md, access control).
GUARDIAN_ACCEPT_GLOBAL_PERMS = False  # read by our selectors; guardian's own default is per call
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Upload limits (docs/quality.md rows 17-26). The web server in front should cap bodies too.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=60 * 1024 * 1024)
# JSON bodies nested deeper than this are a 400 before they are decoded (docs/security.md).
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy on every page (django-csp): scripts from our own origin only; inline
# styles are allowed (the admin's charts and filters set a few). The ReDoc page, whose
# bundle starts with an inline script, is exempt (config/urls.py). docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.handlers.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.Pagination",
    "PAGE_SIZE": 20,
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("AUTH_TOKEN_TTL_DAYS", default=90)),
    "AUTO_REFRESH": True,
    "TOKEN_LIMIT_PER_USER": 20,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Lapor Warga API",
    "DESCRIPTION": "Citizen reports for Jakarta: submit, track, route, follow up.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc assets are served locally (drf-spectacular-sidecar): no CDN needed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No request leaves the server (apps/core/api/docs.py): no online validator badge, and
    # Redoc in system fonts (its page links no web fonts; its bundle is served patched).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, -apple-system, 'Segoe UI', sans-serif",
                "headings": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', sans-serif"},
                "code": {"fontFamily": "ui-monospace, 'DejaVu Sans Mono', monospace"},
            }
        }
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One name for the report status choices wherever a field uses them.
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "apps.reports.models.Report.Status",
        "ReportEventKindEnum": "apps.reports.models.ReportEvent.Kind",
        "ReportPhotoKindEnum": "apps.reports.models.ReportPhoto.Kind",
        "CameraStatusEnum": "apps.cctv.models.Camera.Status",
    },
}

# Celery (config/celery_app.py). Tasks take ids, are idempotent and ack late.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0),
}
# After a failed publish the outbox leaves its messages to the periodic relay for this long
# instead of trying Redis on every request (apps/core/outbox.py).
OUTBOX_PUBLISH_PAUSE = timedelta(seconds=env.int("OUTBOX_PUBLISH_PAUSE_SECONDS", default=10))
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {
        "task": "apps.core.tasks.outbox_relay",
        "schedule": timedelta(seconds=env.int("OUTBOX_RELAY_SECONDS", default=30)),
    },
    "outbox-purge": {
        "task": "apps.core.tasks.outbox_purge",
        "schedule": crontab(minute=17, hour=3),
    },
}

# Outbox: how long delivered rows are kept, and the retry back-off for failed ones.
OUTBOX_KEEP_DELIVERED = timedelta(days=env.int("OUTBOX_KEEP_DELIVERED_DAYS", default=7))
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)

# Routing (docs/routing.md)
ROUTING_NEAREST_MAX_M = env.int("ROUTING_NEAREST_MAX_M", default=100)
TRIAGE_AGENCY_CODE = env.str("TRIAGE_AGENCY_CODE", default="DISKOMINFOTIK-TRIASE")

# Reports (docs/api.md)
REPORT_PHOTO_MAX_COUNT = 5
REPORT_PHOTO_MAX_BYTES = env.int("REPORT_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
REPORT_PHOTO_MAX_PIXELS = env.int("REPORT_PHOTO_MAX_PIXELS", default=40_000_000)
# Width x height x bands x bytes per band, checked from the header before decoding (48 MiB:
# a 16 Mpx RGB photo; larger JPEGs are decoded at a reduced scale to fit).
REPORT_PHOTO_MAX_DECODED_BYTES = env.int("REPORT_PHOTO_MAX_DECODED_BYTES", default=48 * 2**20)
REPORT_IMAGE_WORKERS = env.int("REPORT_IMAGE_WORKERS", default=1)  # per process
REPORT_IMAGE_WAIT_SECONDS = env.float("REPORT_IMAGE_WAIT_SECONDS", default=20.0)
REPORT_THUMBNAIL_PX = 320
# Anonymous filing (no token or "anonymous": true), per client address and per X-Device-Id
# (docs/security.md). Generous: a shared phone or a kampung's one network during a flood.
REPORT_ANON_RATE_PER_ADDRESS = env.str("REPORT_ANON_RATE_PER_ADDRESS", default="60/hour")
REPORT_ANON_RATE_PER_DEVICE = env.str("REPORT_ANON_RATE_PER_DEVICE", default="20/hour")
REPORT_LOCATION_MISMATCH_M = 1000  # EXIF GPS farther than this from the report: flag it
REPORT_MAX_BACKDATE = timedelta(days=7)  # occurred_at may be at most this old
REPORT_CLOCK_SKEW = timedelta(minutes=5)  # tolerated "future" occurred_at (phone clocks)
REPORT_REOPEN_WINDOW = timedelta(days=14)  # the reporter may reopen this long after selesai
CELERY_BEAT_SCHEDULE["reports-auto-confirm"] = {  # docs/triage.md: selesai + 3 days → dikonfirmasi
    "task": "apps.reports.tasks.report_auto_confirm",
    "schedule": crontab(minute="*/15"),
}

# Open311 GeoReport v2 discovery document (docs/open311.md)
OPEN311_CONTACT = env.str(
    "OPEN311_CONTACT", default="Lapor Warga operators (see the project README for contacts)"
)
OPEN311_KEY_SERVICE = env.str(
    "OPEN311_KEY_SERVICE",
    default="Ask the operators for an api_key; they issue it with manage.py create_open311_client.",
)
OPEN311_TEST_URL = env.str("OPEN311_TEST_URL", default="")  # a staging /open311/v2/, if any

# SLA
SLA_RESPONSE_PERIOD = timedelta(days=env.int("SLA_RESPONSE_DAYS", default=6))
# SLA (docs/sla.md): the calendar, attribution grace, and the sweep.
SLA_CALENDAR_CODE = env.str("SLA_CALENDAR_CODE", default="jakarta")
SLA_MIN_GRACE = timedelta(hours=env.int("SLA_MIN_GRACE_HOURS", default=24))
SLA_SWEEP_BATCH_SIZE = env.int("SLA_SWEEP_BATCH_SIZE", default=5000)
SLA_EVENT_SETTLE_SECONDS = env.int("SLA_EVENT_SETTLE_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["sla-sweep"] = {
    "task": "apps.sla.tasks.sla_sweep",
    "schedule": crontab(minute="*"),
}

# Performance (docs/performance.md): the ledger follows breaches and report events; the
# previous month is frozen on the 2nd (after the settle time, before payroll).
CELERY_BEAT_SCHEDULE["performance-ledger-sync"] = {
    "task": "apps.performance.tasks.performance_ledger_sync",
    "schedule": crontab(minute="*/5"),
}
CELERY_BEAT_SCHEDULE["performance-month-close"] = {
    "task": "apps.performance.tasks.performance_month_close_previous",
    "schedule": crontab(minute=30, hour=1, day_of_month=2),
}

# CCTV evidence (docs/cctv.md): linking, health, retention and holds.
CCTV_LINK_RADIUS_M = env.int("CCTV_LINK_RADIUS_M", default=150)
CCTV_LINK_WINDOW = timedelta(minutes=env.int("CCTV_LINK_WINDOW_MINUTES", default=15))
CCTV_CLIP_MAX_DURATION = timedelta(hours=1)
CCTV_CLIP_DEFAULT_RETENTION = timedelta(days=env.int("CCTV_CLIP_RETENTION_DAYS", default=14))
CCTV_INGEST_MAX_CLIPS = 1000
CCTV_HEARTBEAT_TIMEOUT = timedelta(minutes=env.int("CCTV_HEARTBEAT_TIMEOUT_MINUTES", default=15))
CCTV_HOLD_AFTER_CLOSE = timedelta(days=env.int("CCTV_HOLD_AFTER_CLOSE_DAYS", default=90))
CCTV_SIGNED_URL_TTL = timedelta(seconds=env.int("CCTV_SIGNED_URL_SECONDS", default=300))
CCTV_URI_SCHEMES = env.list(
    "CCTV_URI_SCHEMES", default=["https", "http", "s3", "rtsp", "rtsps", "demo", "vms"]
)
CCTV_DEMO_MEDIA_DIR = Path(env.str("CCTV_DEMO_MEDIA_DIR", default="") or VAR_DIR / "cctv")
# Who is told when a requested clip arrives (an outbox handler; reports relinks the ticket).
CCTV_CLIP_ARRIVED_HANDLER = "apps.reports.evidence.report_clips_arrived"
CELERY_BEAT_SCHEDULE["cctv-health"] = {  # cameras without a heartbeat go offline
    "task": "apps.cctv.tasks.camera_health_sweep",
    "schedule": crontab(minute="*"),
}
CELERY_BEAT_SCHEDULE[
    "cctv-evidence-holds"
] = {  # holds follow their tickets (open, closed + N days)
    "task": "apps.reports.tasks.evidence_holds_refresh",
    "schedule": crontab(minute=5),
}
CELERY_BEAT_SCHEDULE["cctv-retention"] = {  # expired, unheld clip records go (the VMS is told)
    "task": "apps.cctv.tasks.clip_retention_sweep",
    "schedule": crontab(minute=35),
}

# Demo accounts created by `manage.py seed_reference_data --demo`
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-password")

# Pluggable message delivery (development backends append JSON lines under var/log/).
SMS_BACKEND = env.str("SMS_BACKEND", default="apps.core.messaging.FileSmsBackend")
PUSH_BACKEND = env.str("PUSH_BACKEND", default="apps.core.messaging.FilePushBackend")

# Reporter identity keys (docs/privacy.md). Never derived from SECRET_KEY.
IDENTITY_MASTER_KEYS = env.str("IDENTITY_MASTER_KEYS", default="")
IDENTITY_BLIND_INDEX_KEYS = env.str("IDENTITY_BLIND_INDEX_KEYS", default="")

# Identity (docs/privacy.md): sign-in by SMS code, reveal grants, rotation.
IDENTITY_PHONE_REGION = env.str("IDENTITY_PHONE_REGION", default="ID")
# Countries whose numbers may sign in (SMS to premium foreign numbers is a known fraud).
IDENTITY_PHONE_ALLOWED_REGIONS = env.list("IDENTITY_PHONE_ALLOWED_REGIONS", default=["ID"])
IDENTITY_REVEAL_GRANT_TTL = timedelta(hours=env.int("IDENTITY_REVEAL_GRANT_HOURS", default=24))
IDENTITY_ROTATION_BATCH_SIZE = env.int("IDENTITY_ROTATION_BATCH_SIZE", default=500)
OTP_TTL = timedelta(seconds=env.int("OTP_TTL_SECONDS", default=300))
OTP_MAX_ATTEMPTS = env.int("OTP_MAX_ATTEMPTS", default=5)
OTP_SEND_WINDOW = timedelta(seconds=env.int("OTP_SEND_WINDOW_SECONDS", default=3600))
OTP_SENDS_PER_PHONE = env.int("OTP_SENDS_PER_PHONE", default=3)
OTP_SENDS_PER_IP = env.int("OTP_SENDS_PER_IP", default=20)
OTP_KEEP = timedelta(days=env.int("OTP_KEEP_DAYS", default=1))
CELERY_BEAT_SCHEDULE["identity-otp-purge"] = {
    "task": "apps.identity.tasks.otp_purge",
    "schedule": crontab(minute=23),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No secret query parameter (Open311 api_key) in any record (docs/security.md).
    "filters": {"redact_secrets": {"()": "apps.core.log_redaction.RedactSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Monitoring dashboard (docs/dashboard.md): the pre-aggregated counts are refreshed by beat;
# the kelurahan polygons are the map, a tile server is optional (e.g. a deployment's own).
CELERY_BEAT_SCHEDULE["dashboard-refresh"] = {
    "task": "apps.dashboard.tasks.dashboard_refresh",
    "schedule": crontab(minute="*/5"),
}
DASHBOARD_TILE_URL = env.str("DASHBOARD_TILE_URL", default="")
DASHBOARD_TILE_ATTRIBUTION = env.str("DASHBOARD_TILE_ATTRIBUTION", default="")

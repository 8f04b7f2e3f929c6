"""Settings shared by every environment. Environment-specific modules import * from here."""

from datetime import timedelta

from celery.schedules import crontab
from csp.constants import NONE, SELF

from .env import BASE_DIR, VAR_DIR, default_storage_settings, env, postgres_options

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env("DJANGO_DEBUG")
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "core",
    "accounts",
    "docs_control",
    "capa",
    "post_reviews",
    "audits",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.SessionCookieGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: its 400 page is rendered with the shell.
    "core.middleware.BadInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    "core.middleware.ServiceUnavailableMiddleware",
    # Axes must be last: it turns a lockout raised by the backend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qms.urls"
WSGI_APPLICATION = "qms.wsgi.application"
ASGI_APPLICATION = "qms.asgi.application"

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
                "core.context_processors.shell",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# Embedded default: SQLite under var/. DATABASE_URL switches to PostgreSQL.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'qms.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks and take the write lock up front.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = postgres_options()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (signing lockout counters, rate limits) --------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"

# Lock out a username+IP pair after N failures (django-axes).
AXES_FAILURE_LIMIT = env("QMS_LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=env("QMS_LOGIN_COOLOFF_MINUTES"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
# The page login gets the template above; the API gets JSON (accounts.lockout).
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Login must not depend on the cache or the broker: attempts live in the database, and so do
# sessions (a Redis outage must not log everyone out or turn the login into a 500).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Electronic signatures: N wrong passwords in a row lock signing for M minutes.
QMS_SIGNING_FAILURE_LIMIT = env("QMS_SIGNING_FAILURE_LIMIT")
QMS_SIGNING_LOCK_MINUTES = env("QMS_SIGNING_LOCK_MINUTES")

# API tokens one user may hold at once (accounts.services.api_token_create).
QMS_API_TOKENS_PER_USER = env("QMS_API_TOKENS_PER_USER")

# Idle sessions expire: the cookie age is renewed on every request.
SESSION_COOKIE_AGE = int(env("DJANGO_SESSION_IDLE_HOURS") * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- i18n / time -------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# Business time zone: KPI days and reminder buckets are cut in this zone; storage is UTC.
TIME_ZONE = env("QMS_TIME_ZONE")
USE_I18N = True
USE_TZ = True

# --- static and media --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from the npm registry (package-lock.json); only their dist folders are served.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Private files (attachments, import files, stored PDFs, evidence packs): local files under
# MEDIA_ROOT, or an S3-compatible bucket with QMS_STORAGE=s3 (env.default_storage_settings).
# Static files stay on whitenoise either way.
STORAGES = {
    "default": default_storage_settings(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Downloads of private files (core.downloads): "stream" through the app, or "redirect" to a
# presigned URL valid QMS_DOWNLOAD_URL_SECONDS (object storage only; local files always stream).
QMS_DOWNLOAD_MODE = env.str("QMS_DOWNLOAD_MODE", default="stream").strip().lower()
if QMS_DOWNLOAD_MODE not in ("stream", "redirect"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"QMS_DOWNLOAD_MODE must be 'stream' or 'redirect', not {QMS_DOWNLOAD_MODE!r}.")
QMS_DOWNLOAD_URL_SECONDS = env.int("QMS_DOWNLOAD_URL_SECONDS", default=60)
QMS_ATTACHMENT_MAX_BYTES = env("QMS_ATTACHMENT_MAX_MB") * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Verify a pack: the upload, and what the checker will inflate from it (zip bombs stop there).
QMS_PACK_VERIFY_MAX_UPLOAD_BYTES = env.int("QMS_PACK_VERIFY_MAX_UPLOAD_MB", default=4096) * 1024 * 1024
QMS_PACK_VERIFY_MAX_BYTES = env.int("QMS_PACK_VERIFY_MAX_INFLATED_MB", default=20480) * 1024 * 1024
QMS_PACK_VERIFY_MAX_ENTRIES = env.int("QMS_PACK_VERIFY_MAX_ENTRIES", default=100_000)

# --- email -------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("QMS_DEFAULT_FROM_EMAIL")
QMS_SITE_URL = env("QMS_SITE_URL").rstrip("/")  # links in emails

# --- security headers --------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous API call then gets 401 with WWW-Authenticate, not a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON in, bounded in size and depth (core.api.parsers); the upload endpoints declare
    # multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "QMS for social media teams",
    "DESCRIPTION": "Controlled SOPs, post reviews, audits and CAPA. Transitions are POST actions.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several apps have a `status`, `kind`, `category` or `outcome`: name each enum once.
    "ENUM_NAME_OVERRIDES": {
        "DocumentVersionStatusEnum": "docs_control.workflow.Status",
        "DocumentKindEnum": "docs_control.models.Kind",
        # One vocabulary for defects, checklist items and nonconformities.
        "CategoryEnum": "capa.vocabulary.Category",
        "PostStatusEnum": "post_reviews.models.PostStatus",
        # Every job row (imports, evidence packs) shares core.models.JobStatus: one enum.
        "JobStatusEnum": "core.models.JobStatus",
        "ImportKindEnum": [("csv", "CSV"), ("x_archive", "X archive")],
        "LotStatusEnum": "post_reviews.models.LotStatus",
        "ReviewOutcomeEnum": "post_reviews.models.Outcome",
        "ObjectiveComparatorEnum": "metrics.models.Comparator",
        "EffectivenessComparatorEnum": "capa.models.Comparator",
    },
}

# --- Celery ------------------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport (no server). REDIS_URL switches to Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
_broker_dir = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # The filesystem transport has no host by nature; kombu warns about it on every connection.
    _QUIET_LOGGERS = {"kombu.connection": {"level": "ERROR"}}
else:
    # Longer than the longest task (hard limit below), or Redis redelivers running tasks. A task
    # whose worker died is found sooner by its job row's heartbeat (QMS_JOB_* below).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
    _QUIET_LOGGERS = {}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# soft < hard < visibility timeout (checked at start-up: core/checks.py, docs/operations.md).
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": 30.0},
    # Incremental every 15 minutes; a full rebuild of yesterday and today each night.
    "metrics-rollup": {"task": "metrics.tasks.rollup_metrics", "schedule": crontab(minute="*/15")},
    "metrics-rollup-nightly": {
        "task": "metrics.tasks.rollup_metrics_recent",
        "schedule": crontab(hour=2, minute=30),
    },
    # Hourly: reminders due (missed runs catch up: a reminder is due once its window is reached)
    # and the 08:00 digests in each person's time zone.
    "reminders": {"task": "core.tasks.send_due_reminders", "schedule": crontab(minute=10)},
    "digests": {"task": "core.tasks.send_digests", "schedule": crontab(minute=20)},
    "metrics-objectives": {"task": "metrics.tasks.objectives_evaluate", "schedule": crontab(hour=6, minute=0)},
    "sweep-stale-jobs": {"task": "core.tasks.sweep_stale_jobs", "schedule": 60.0},
    # Daily after the nightly rollup: measured CAPA checks that are due, and defect trends.
    "metrics-effectiveness": {
        "task": "metrics.tasks.evaluate_effectiveness_checks",
        "schedule": crontab(hour=6, minute=15),
    },
    "metrics-defect-trends": {"task": "metrics.tasks.defect_trends_raise", "schedule": crontab(hour=6, minute=30)},
    "documents-make-due-effective": {
        "task": "docs_control.tasks.versions_make_due_effective",
        "schedule": crontab(minute=5),
    },
}
QMS_WORKER_STALE_SECONDS = env("QMS_WORKER_STALE_SECONDS")
# KPI days are business days in this zone, wherever the servers run.
QMS_METRICS_TIME_ZONE = env.str("QMS_METRICS_TIME_ZONE", default=TIME_ZONE)
# A rollup run waits this long for another run's lock (a killed worker's backend) before skipping.
QMS_ROLLUP_LOCK_WAIT_SECONDS = env("QMS_ROLLUP_LOCK_WAIT_SECONDS")
# Job rows (imports, PDF renders, evidence packs): a running job touches its heartbeat after each
# committed step and every QMS_JOB_HEARTBEAT_SECONDS; `sweep_stale_jobs` resumes (up to
# QMS_JOB_MAX_ATTEMPTS starts) or fails a running job quiet for QMS_JOB_STALE_SECONDS, and sends
# again the task of a job queued and untouched for QMS_JOB_QUEUED_STALE_SECONDS.
QMS_JOB_HEARTBEAT_SECONDS = env("QMS_JOB_HEARTBEAT_SECONDS")
QMS_JOB_STALE_SECONDS = env("QMS_JOB_STALE_SECONDS")
QMS_JOB_QUEUED_STALE_SECONDS = env("QMS_JOB_QUEUED_STALE_SECONDS")
QMS_JOB_MAX_ATTEMPTS = env("QMS_JOB_MAX_ATTEMPTS")

# --- logging -----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL")},
    "loggers": {
        "qms.security": {"level": "INFO", "propagate": True},
        # WeasyPrint and fontTools narrate every render at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        **_QUIET_LOGGERS,
    },
}

QMS_DEMO_PASSWORD = env("QMS_DEMO_PASSWORD")
# Days people have to acknowledge a newly effective SOP before the training matrix shows overdue.
QMS_ACK_DUE_DAYS = env("QMS_ACK_DUE_DAYS")
# Controlled-copy PDFs of bodies up to this size render in the request; larger ones in a worker.
QMS_PDF_INLINE_MAX_CHARS = env.int("QMS_PDF_INLINE_MAX_CHARS", default=100_000)
# Evidence packs lay their PDFs out in a short-lived child process, beside the build (audits/packs/pdfs.py).
QMS_PACK_PDF_CHILD = env.bool("QMS_PACK_PDF_CHILD", default=True)
# Post imports (CSV, platform exports): the largest file accepted.
QMS_IMPORT_MAX_BYTES = env.int("QMS_IMPORT_MAX_MB", default=200) * 1024 * 1024
# Rows per committed import batch: the unit a resumed import skips and the progress step.
QMS_IMPORT_BATCH_ROWS = env.int("QMS_IMPORT_BATCH_ROWS", default=10_000)

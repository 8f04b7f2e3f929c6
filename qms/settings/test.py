"""pytest: real PostgreSQL (TEST_DATABASE_URL) and real Redis (TEST_REDIS_URL)."""

from .base import *  # noqa: F403
from .env import env, postgres_options

DEBUG = False
SECRET_KEY = "test-only-secret-key-" + "y" * 40
ALLOWED_HOSTS = ["*"]
DATABASES = {
    "default": env.db_url("TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/qms"),
}
# Parallel runs on one machine (a developer and CI, or helpers) pick their own names.
DATABASES["default"]["OPTIONS"] = {"options": "-c random_page_cost=1.1"}
if env.str("QMS_PROCESS_ROLE", default="web") == "worker":
    # Worker processes that tests start connect as production workers do (timeouts, client check).
    DATABASES["default"]["OPTIONS"] = {"options": postgres_options()}
DATABASES["default"]["TEST"] = {"NAME": env.str("QMS_TEST_DB_NAME", default="test_qms")}
REDIS_URL = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
# Worker tests with --broker=rabbitmq start worker processes with TEST_BROKER_URL set to AMQP.
CELERY_BROKER_URL = env.str("TEST_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
# Unit tests run tasks inline at commit; tests marked `worker` start a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True
# Unit tests lay pack PDFs out in-process (fast); the worker tests and one pack test use the child.
QMS_PACK_PDF_CHILD = env.bool("QMS_PACK_PDF_CHILD", default=False)
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

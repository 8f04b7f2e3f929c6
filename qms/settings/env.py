"""Every environment variable the project reads, parsed in one place with types.

Other settings modules import ``env`` from here; nothing else calls ``os.environ``.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env(
    DJANGO_DEBUG=(bool, False),
    DJANGO_ALLOWED_HOSTS=(list, []),
    DJANGO_CSRF_TRUSTED_ORIGINS=(list, []),
    DJANGO_SESSION_IDLE_HOURS=(float, 8.0),
    DJANGO_LOG_LEVEL=(str, "INFO"),
    QMS_LOGIN_FAILURE_LIMIT=(int, 5),
    QMS_LOGIN_COOLOFF_MINUTES=(int, 15),
    QMS_SIGNING_FAILURE_LIMIT=(int, 5),
    QMS_SIGNING_LOCK_MINUTES=(int, 15),
    QMS_API_TOKENS_PER_USER=(int, 10),
    QMS_ATTACHMENT_MAX_MB=(int, 25),
    QMS_DEMO_PASSWORD=(str, "demo-pass-2026"),
    QMS_WORKER_STALE_SECONDS=(int, 120),
    QMS_JOB_HEARTBEAT_SECONDS=(int, 15),
    QMS_JOB_STALE_SECONDS=(int, 120),
    QMS_JOB_QUEUED_STALE_SECONDS=(int, 600),
    QMS_JOB_MAX_ATTEMPTS=(int, 3),
    QMS_ROLLUP_LOCK_WAIT_SECONDS=(float, 30.0),
    QMS_DEFAULT_FROM_EMAIL=(str, "qms@localhost"),
    QMS_TIME_ZONE=(str, "Europe/London"),
    QMS_ACK_DUE_DAYS=(int, 14),
    QMS_SITE_URL=(str, "http://127.0.0.1:8000"),
    EMAIL_URL=(str, "consolemail://"),
)
# A local .env file is optional; real environment variables win over it.
_dotenv = BASE_DIR / ".env"
if _dotenv.exists():
    environ.Env.read_env(str(_dotenv), overwrite=False)


def required(name: str) -> str:
    """Return a variable that must be set in production, failing loudly when it is not."""
    from django.core.exceptions import ImproperlyConfigured

    value = env.str(name, default="")
    if not value.strip():
        raise ImproperlyConfigured(f"{name} must be set for production settings (see .env.example for what it means).")
    return value


def postgres_options() -> str:
    """libpq ``options`` for every PostgreSQL connection: planner costs plus per-connection timeouts.

    A stuck query or a lock wait can't hold a web process for ever: ``statement_timeout`` and
    ``lock_timeout`` (PostgreSQL units: ``30s``, ``500ms``, ``0`` = off). Worker and beat processes
    set ``QMS_PROCESS_ROLE=worker`` and get the longer ``QMS_WORKER_DB_*`` values (imports, rollups
    and evidence packs run long statements by design).
    """
    checks = ""
    if env.str("QMS_PROCESS_ROLE", default="web") == "worker":
        statement = env.str("QMS_WORKER_DB_STATEMENT_TIMEOUT", default="55min")
        lock = env.str("QMS_WORKER_DB_LOCK_TIMEOUT", default="60s")
        # A worker killed mid-statement (OOM, SIGKILL) leaves its backend running that statement,
        # locks held, until it next talks to the client: have it check the socket while it runs.
        checks = f" -c client_connection_check_interval={env.str('QMS_WORKER_DB_CLIENT_CHECK', default='10s')}"
    else:
        statement = env.str("QMS_DB_STATEMENT_TIMEOUT", default="30s")
        lock = env.str("QMS_DB_LOCK_TIMEOUT", default="10s")
    # SSD storage: random reads cost little more than sequential ones. With the default (4), the
    # planner walks the primary key past other teams' newer posts instead of using the (team, -id)
    # index, which took a team's first page from 0.3 ms to 2 s at 3.8M posts. No JIT: it compiles
    # for any plan costed over 100,000, and a list query over 10M rows costed so (an index read of
    # 2,000 team and account pairs) spent 50-150 ms compiling for a 24 ms read.
    extra = env.str("QMS_PG_OPTIONS", default="-c random_page_cost=1.1 -c jit=off")
    return f"{extra} -c statement_timeout={statement} -c lock_timeout={lock}{checks}".strip()


def default_storage_settings() -> dict:
    """``STORAGES["default"]``: local files (``QMS_STORAGE=local``, the default) or an S3-compatible
    bucket (``QMS_STORAGE=s3``). Private files only: no public ACL, no unsigned URLs, names never
    overwritten. A bucket-less S3 setting fails at start-up instead of at the first upload."""
    from django.core.exceptions import ImproperlyConfigured

    kind = env.str("QMS_STORAGE", default="local").strip().lower()
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"QMS_STORAGE must be 'local' or 's3', not {kind!r}.")
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="").strip()
    if not bucket:
        raise ImproperlyConfigured(
            "QMS_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (and usually AWS_S3_ENDPOINT_URL and keys; see .env.example)."
        )
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config

    addressing = env.str("AWS_S3_ADDRESSING_STYLE", default="path").strip() or None
    if addressing not in (None, "auto", "path", "virtual"):
        raise ImproperlyConfigured(f"AWS_S3_ADDRESSING_STYLE must be auto, path or virtual, not {addressing!r}.")
    options = {
        "bucket_name": bucket,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="").strip() or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="").strip() or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "addressing_style": addressing,
        "signature_version": "s3v4",
        "location": env.str("AWS_LOCATION", default="").strip("/"),
        # Never replace a stored file: a second upload under a taken name gets a new name.
        "file_overwrite": False,
        # Private objects; an empty AWS_DEFAULT_ACL sends no ACL (buckets with ACLs disabled).
        "default_acl": env.str("AWS_DEFAULT_ACL", default="private").strip() or None,
        # Every URL is signed and short-lived; there is no public custom domain.
        "querystring_auth": True,
        "querystring_expire": env.int("QMS_DOWNLOAD_URL_SECONDS", default=60),
        "custom_domain": None,
        # Files read whole (imports, attachments into a pack) spool to disk past this size.
        "max_memory_size": 8 * 1024 * 1024,
        # Streams (evidence packs) go up in 8 MiB parts, a few at a time: bounded memory.
        "transfer_config": TransferConfig(multipart_chunksize=8 * 1024 * 1024, max_concurrency=4),
        # An unreachable endpoint fails an upload in seconds, not after minutes of retries.
        "client_config": Config(
            signature_version="s3v4",
            connect_timeout=env.int("AWS_S3_CONNECT_TIMEOUT", default=5),
            read_timeout=env.int("AWS_S3_READ_TIMEOUT", default=60),
            retries={"max_attempts": env.int("AWS_S3_MAX_ATTEMPTS", default=3), "mode": "standard"},
            s3={"addressing_style": addressing} if addressing else None,
        ),
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}

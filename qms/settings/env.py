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
    if env.str("QMS_PROCESS_ROLE", default="web") == "worker":
        statement = env.str("QMS_WORKER_DB_STATEMENT_TIMEOUT", default="55min")
        lock = env.str("QMS_WORKER_DB_LOCK_TIMEOUT", default="60s")
    else:
        statement = env.str("QMS_DB_STATEMENT_TIMEOUT", default="30s")
        lock = env.str("QMS_DB_LOCK_TIMEOUT", default="10s")
    # SSD storage: random reads cost little more than sequential ones. With the default (4), the
    # planner walks the primary key past other teams' newer posts instead of using the (team, -id)
    # index, which took a team's first page from 0.3 ms to 2 s at 3.8M posts. No JIT: it compiles
    # for any plan costed over 100,000, and a list query over 10M rows costed so (an index read of
    # 2,000 team and account pairs) spent 50-150 ms compiling for a 24 ms read.
    extra = env.str("QMS_PG_OPTIONS", default="-c random_page_cost=1.1 -c jit=off")
    return f"{extra} -c statement_timeout={statement} -c lock_timeout={lock}".strip()

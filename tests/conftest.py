"""Fixed personas, shared by every test (healthchecks style): two teams and the people in them."""

import os
import shutil
from dataclasses import dataclass

import pytest

from accounts.models import Team, User
from accounts.roles import Role
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there
# unless told it is fine. Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class Personas:
    team_a: Team
    team_b: Team
    author: User  # reviewer in team A; drafts things
    lead: User  # team lead in team A
    lead2: User  # second team lead in team A
    qa: User  # QA manager in team A
    reviewer: User  # another reviewer in team A
    auditor: User  # auditor in team A
    viewer: User  # viewer in team A
    outsider: User  # team lead in team B only
    admin: User  # admin of both teams


def _person(username: str, team: Team, role: str) -> User:
    user = UserFactory(username=username)
    MembershipFactory(user=user, team=team, role=role)
    return user


def make_personas() -> Personas:
    team_a = TeamFactory(name="Brand")
    team_b = TeamFactory(name="Agency")
    admin = _person("admin", team_a, Role.ADMIN)
    MembershipFactory(user=admin, team=team_b, role=Role.ADMIN)
    from accounts.services import roles_sync

    personas = Personas(
        team_a=team_a,
        team_b=team_b,
        author=_person("dan", team_a, Role.REVIEWER),
        lead=_person("ben", team_a, Role.TEAM_LEAD),
        lead2=_person("cara", team_a, Role.TEAM_LEAD),
        qa=_person("alice", team_a, Role.QA_MANAGER),
        reviewer=_person("rita", team_a, Role.REVIEWER),
        auditor=_person("erin", team_a, Role.AUDITOR),
        viewer=_person("vic", team_a, Role.VIEWER),
        outsider=_person("gina", team_b, Role.TEAM_LEAD),
        admin=admin,
    )
    roles_sync()
    return personas


@pytest.fixture
def people(db) -> Personas:
    return make_personas()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def client_for(client):
    """Log a persona in on the test client: ``client_for(people.qa)``."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    from rest_framework.test import APIClient

    def make(user: User | None) -> APIClient:
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return make


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _flush_past_append_only_guards():
    """Transactional tests end with `flush`, a TRUNCATE of every table, which the append-only
    guards refuse (core.db). The test role is a superuser: let the flush skip user triggers
    for its own transaction. The app's role can't set this (docs/operations.md)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica", *sql] if sql else sql

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


# --- broker matrix for the `worker` tests ---------------------------------------------------
def pytest_addoption(parser):
    parser.addoption(
        "--broker",
        choices=["redis", "rabbitmq"],
        default="redis",
        help="broker for tests marked `worker`: TEST_REDIS_URL or TEST_AMQP_URL (default redis)",
    )


@pytest.fixture(scope="session")
def broker_url(request) -> str:
    from django.conf import settings

    if request.config.getoption("--broker") == "rabbitmq":
        return os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
    return settings.CELERY_BROKER_URL


@pytest.fixture
def celery_processes(transactional_db, settings, broker_url, tmp_path):
    """Start real Celery worker and beat processes (tests.servers.CeleryProcesses) on this test's
    database and the chosen broker (--broker), on a queue of this test's own. Tasks the test sends
    go there too; every process is stopped and the queue deleted at the end."""
    import uuid

    from django.db import connection

    from qms.celery import app
    from tests.servers import CeleryProcesses

    db = connection.settings_dict
    server = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    queue = f"qms-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "TEST_DATABASE_URL": f"{server}/{db['NAME']}",
        "TEST_BROKER_URL": broker_url,
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "QMS_TEST_QUEUE": queue,
    }
    saved = {key: app.conf[key] for key in ("broker_url", "task_default_queue", "task_always_eager")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = broker_url  # what /readyz checks
    app.conf.update(broker_url=broker_url, task_default_queue=queue, task_always_eager=False)
    app._pool = None  # kombu keeps pools per broker URL; the next use picks the new URL's
    app.__dict__.pop("amqp", None)
    processes = CeleryProcesses(cwd=settings.BASE_DIR, env=env, log_dir=tmp_path / "celery")
    try:
        yield processes
    finally:
        processes.stop()
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
        if broker_url.startswith("redis"):
            # A killed worker's message stays "unacked" in Redis; drop it so no later run sees it.
            import redis

            redis.Redis.from_url(broker_url).delete("unacked", "unacked_index", "unacked_mutex")
        app.conf.update(**saved)
        app._pool = None
        app.__dict__.pop("amqp", None)

"""bin/stack for real: production settings, gunicorn, two workers and beat, on PostgreSQL and a
private redis-server (broker and cache) that the fault tests stop and restart. Database faults
terminate the app's own connections with pg_terminate_backend. The shared servers are never touched.
"""

import json
import os
import re
import signal
import subprocess
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connections
from psycopg import sql

from tests.servers import free_port, private_redis, wait_for

pytestmark = [pytest.mark.stack, pytest.mark.fault]
ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def _get(url, *, headers=None, data=None, timeout=15):
    request = urllib.request.Request(url, headers=headers or {}, data=data)  # noqa: S310 (http://127.0.0.1 only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def _create_database(name: str) -> None:
    """A private database; a copy of pytest's migrated test database when it is free (fast), else
    empty (bin/stack migrates it)."""
    connections.close_all()
    template = connections["default"].settings_dict["NAME"]
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        try:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
            )
        except psycopg.errors.ObjectInUse:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop_database(name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class Stack:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = f"qms_stack_test_{uuid.uuid4().hex[:8]}"
        self.dir = tmp / "stack"
        self.redis = private_redis(tmp / "redis")
        self.proc: subprocess.Popen | None = None

    def start(self):
        _create_database(self.db)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "QMS_", "DATABASE_URL", "REDIS"))}
        env.update(
            QMS_HTTP_PORT=str(self.port),
            QMS_STACK_DIR=str(self.dir),
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{self.db}",
            CELERY_BROKER_URL=self.redis.url,
            REDIS_URL=self.redis.url,
            WEB_CONCURRENCY="2",
            # Shared between runs: collectstatic then only compresses what changed.
            DJANGO_STATIC_ROOT=str(ROOT / "var" / "test-stack-static"),
        )
        self.log = open(self.dir.parent / "stack.out", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(ROOT / "bin" / "stack")],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return (self.dir.parent / "stack.out").read_text(errors="replace")

    def pids(self) -> set[int]:
        """Every live process of the stack's session (bin/stack, gunicorn, celery and children)."""
        out = subprocess.run(["ps", "-e", "-o", "pid=,sid="], capture_output=True, text=True).stdout
        return {int(pid) for pid, sid in (line.split() for line in out.splitlines()) if int(sid) == self.proc.pid}

    def sql(self, query, params=()):
        with psycopg.connect(dbname=self.db, autocommit=True, **PG) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else None

    def manage_shell(self, code: str) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "QMS_", "DATABASE_URL"))}
        env.update(
            DJANGO_SETTINGS_MODULE="qms.settings.local", DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{self.db}"
        )
        result = subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.redis.stop()
        _drop_database(self.db)


def _ready(stack) -> tuple[int, dict]:
    status, body = _get(stack.url + "/readyz")
    try:
        return status, json.loads(body or b"{}")
    except ValueError:
        return status, {}


@pytest.fixture(scope="module")
def stack(tmp_path_factory, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        running = Stack(tmp_path_factory.mktemp("stack"))
        running.start()
        try:
            # Generous: the first run compresses every static file, on a 2-core machine.
            assert wait_for(lambda: "running at " + running.url in running.output(), timeout=600), running.output()
            yield running
        finally:
            running.stop()


def test_stack_serves_health_readiness_login_and_static_files(stack):
    assert _get(stack.url + "/healthz")[0] == 200
    assert wait_for(lambda: _ready(stack)[0] == 200, timeout=120), _ready(stack)
    status, body = _get(stack.url + "/accounts/login/")
    assert status == 200
    css = re.search(rb'href="(/static/[^"]+\.css)"', body)
    assert css, body[:500]
    status, content = _get(stack.url + css.group(1).decode())
    assert status == 200 and content
    # Production settings: a host outside DJANGO_ALLOWED_HOSTS is refused.
    assert _get(stack.url + "/healthz", headers={"Host": "evil.example.com"})[0] == 400


def test_idle_database_connections_terminated_the_next_requests_succeed(stack):
    """Persistent connections (CONN_MAX_AGE) killed between requests: CONN_HEALTH_CHECKS reconnects."""
    assert wait_for(lambda: _ready(stack)[0] == 200, timeout=120)
    killed = stack.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )
    assert killed
    for _ in range(4):  # both gunicorn processes
        status, body = _ready(stack)
        assert status == 200, body


@pytest.fixture(scope="module")
def api_token(stack):
    code = (
        "from tests.conftest import make_personas; from accounts.services.tokens import api_token_create; "
        "p = make_personas(); print(api_token_create(user=p.qa, by=p.qa)[1], p.team_a.pk)"
    )
    return stack.manage_shell(code).split()


def test_connection_terminated_mid_request_fails_cleanly_and_nothing_is_half_written(stack, api_token):
    from capa.models import Nonconformity

    token, team = api_token
    history = Nonconformity.history.model._meta.db_table
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    body = json.dumps({"team": int(team), "source_kind": "complaint", "severity": "minor", "description": "x"})
    before = stack.sql("SELECT count(*) FROM capa_nonconformity")[0][0]
    # Hold the history table so the request blocks after writing the NC row in its transaction.
    holder = psycopg.connect(dbname=stack.db, **PG)
    try:
        holder.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(sql.Identifier(history)))
        import threading

        result = {}
        thread = threading.Thread(
            target=lambda: result.update(
                answer=_get(stack.url + "/api/v1/nonconformities/", headers=headers, data=body.encode())
            )
        )
        thread.start()
        waiting = "FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        assert wait_for(lambda: stack.sql("SELECT pid " + waiting), timeout=30)
        stack.sql("SELECT pg_terminate_backend(pid) " + waiting)
        thread.join(timeout=30)
    finally:
        holder.rollback()
        holder.close()
    status, _ = result["answer"]
    assert status == 500
    assert stack.sql("SELECT count(*) FROM capa_nonconformity")[0][0] == before
    status, created = _get(stack.url + "/api/v1/nonconformities/", headers=headers, data=body.encode())
    assert status == 201, created
    assert stack.sql("SELECT count(*) FROM capa_nonconformity")[0][0] == before + 1


def _upload_csv(stack, token, team):
    """POST /api/v1/posts/import/ (multipart): an action that must enqueue a task."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="team"\r\n\r\n{team}\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncsv\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="posts.csv"\r\n'
        "Content-Type: text/csv\r\n\r\nplatform,external_id,text\r\n",
    ]
    body = "".join(parts).encode() + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Authorization": f"Token {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return _get(stack.url + "/api/v1/posts/import/", headers=headers, data=body)


def test_broker_down_pages_answer_readyz_names_the_broker_and_recovers_without_restart(stack, api_token):
    from post_reviews.models import ImportRun

    runs = sql.SQL("SELECT status FROM {}").format(sql.Identifier(ImportRun._meta.db_table))
    token, team = api_token
    assert wait_for(lambda: _ready(stack)[0] == 200, timeout=120)
    stack.redis.stop()
    try:
        assert _get(stack.url + "/healthz")[0] == 200
        assert _get(stack.url + "/accounts/login/")[0] == 200
        status, body = _ready(stack)
        assert status == 503
        assert body["checks"]["broker"]["ok"] is False
        assert body["checks"]["database"]["ok"] is True
        status, answer = _upload_csv(stack, token, team)
        assert status == 503, answer
        assert b"unreachable" in answer
        assert stack.sql(runs) == []
    finally:
        stack.redis.start()
    assert wait_for(lambda: _ready(stack)[0] == 200, timeout=60), _ready(stack)
    status, answer = _upload_csv(stack, token, team)
    assert status == 202, answer
    # A worker takes the import from the restarted broker (it leaves "queued").
    assert wait_for(lambda: stack.sql(runs) and stack.sql(runs)[0][0] != "queued", timeout=90), stack.sql(runs)
    # A task sent after the restart is consumed: a fresh heartbeat arrives from beat through the
    # restarted broker (beat sends one every 30 s).
    stack.sql("DELETE FROM core_workerheartbeat")
    assert wait_for(lambda: stack.sql("SELECT 1 FROM core_workerheartbeat"), timeout=90), stack.output()


def test_sigterm_stops_every_process(stack):
    assert len(stack.pids()) >= 5  # bin/stack, gunicorn master + workers, two celery workers, beat
    stack.proc.send_signal(signal.SIGTERM)
    stack.proc.wait(timeout=90)
    assert wait_for(lambda: not stack.pids(), timeout=30), stack.pids()
    assert "Stopped." in stack.output()

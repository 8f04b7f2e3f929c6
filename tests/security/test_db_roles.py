"""The app connects as a role that doesn't own its tables (docs/operations.md), so it can't switch
the append-only triggers off. Migrates a fresh database as the owner with the documented SQL, then
runs the app as the non-owner role."""

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _documented_sql(marker: str) -> str:
    text = (ROOT / "docs" / "operations.md").read_text()
    match = re.search(rf"<!-- app-role-sql: {marker} -->\n```sql\n(.*?)```", text, re.S)
    assert match, f"docs/operations.md lost its {marker} SQL block"
    return match.group(1)


def _url(user: str, dbname: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{dbname}"


def _manage_env(url: str) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "qms.settings.test", "TEST_DATABASE_URL": url}


@pytest.fixture
def roles():
    """A fresh database owned by a fresh owner role, and an app role; all dropped afterwards."""
    suffix = uuid.uuid4().hex[:10]
    owner, app, dbname = f"qms_owner_{suffix}", f"qms_app_{suffix}", f"qms_roles_{suffix}"
    db = settings.DATABASES["default"]
    admin_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
    renamed = (
        _documented_sql("superuser")
        .replace("qms_owner", owner)
        .replace("qms_app", app)
        .replace("DATABASE qms ", f"DATABASE {dbname} ")
    )
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for statement in filter(str.strip, renamed.split(";")):
            conn.execute(statement)
    try:
        yield owner, app, dbname
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
            conn.execute(f"DROP ROLE IF EXISTS {app}")
            conn.execute(f"DROP ROLE IF EXISTS {owner}")


def test_the_app_role_writes_records_but_cannot_touch_the_audit_trail(roles):
    owner, app, dbname = roles
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=_manage_env(_url(owner, dbname)),
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    grants = _documented_sql("owner").replace("qms_owner", owner).replace("qms_app", app)
    with psycopg.connect(_url(owner, dbname), autocommit=True) as conn:
        conn.execute(grants)

    probe = subprocess.run(
        [sys.executable, "-m", "tests.security.app_role_probe"],
        cwd=ROOT,
        env=_manage_env(_url(app, dbname)),
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 0, probe.stderr
    result = json.loads(probe.stdout.strip().splitlines()[-1])

    assert result["user"] == app
    assert result["signatures"] == 1  # a document approved and signed: normal writes work
    assert result["disable_trigger"] == "must be owner of table core_signature"
    assert result["drop_trigger"].startswith("must be owner of")
    assert "append-only: UPDATE refused" in result["update"]
    assert "append-only: DELETE refused" in result["delete"]
    assert "append-only: UPDATE refused" in result["update_history"]
    assert result["truncate"].startswith("permission denied")  # no TRUNCATE grant, and the trigger
    assert result["signatures_after"] == 1

"""Production settings refuse to start without their secrets; with them, check --deploy is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {
    "DJANGO_SECRET_KEY": "k3#v9!prod-secret-for-tests-" + "Zq8&xW2@" * 6,
    "DJANGO_ALLOWED_HOSTS": "qms.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/qms",
}


def _run(env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "qms.settings.production", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_production_refuses_to_start_without_required_variable(missing):
    env = {k: v for k, v in REQUIRED.items() if k != missing}
    result = _run(env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_check_deploy_is_clean_with_the_required_variables():
    result = _run(REQUIRED, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_local_http_is_refused_unless_every_allowed_host_is_loopback():
    result = _run({**REQUIRED, "QMS_LOCAL_HTTP": "1"}, "check")
    assert result.returncode != 0
    assert "QMS_LOCAL_HTTP=1" in result.stderr and "loopback only" in result.stderr
    local = {**REQUIRED, "QMS_LOCAL_HTTP": "1", "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    code = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE)"
    result = _run(local, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["False", "False"]


@pytest.mark.parametrize(("role", "expected"), [("web", "30s 10s"), ("worker", "55min 1min")])
def test_connections_carry_statement_and_lock_timeouts(role, expected):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('SHOW statement_timeout'); a = c.fetchone()[0]; "
        "c.execute('SHOW lock_timeout'); print(a, c.fetchone()[0])"
    )
    result = _run({**REQUIRED, "QMS_PROCESS_ROLE": role}, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_s3_storage_without_a_bucket_refuses_to_start_and_with_one_is_private():
    result = _run({**REQUIRED, "QMS_STORAGE": "s3"}, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "AWS_STORAGE_BUCKET_NAME" in result.stderr
    s3 = {**REQUIRED, "QMS_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "qms-files", "QMS_DOWNLOAD_MODE": "redirect"}
    code = (
        "from django.conf import settings as s; d = s.STORAGES['default']; o = d['OPTIONS'];"
        "print(d['BACKEND'], o['bucket_name'], o['default_acl'], o['file_overwrite'], o['querystring_auth'],"
        " s.STORAGES['staticfiles']['BACKEND'], s.QMS_DOWNLOAD_MODE)"
    )
    result = _run(s3, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "storages.backends.s3.S3Storage",
        "qms-files",
        "private",
        "False",
        "True",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "redirect",
    ]
    result = _run({**s3, "QMS_DOWNLOAD_MODE": "public"}, "check")
    assert result.returncode != 0 and "QMS_DOWNLOAD_MODE" in result.stderr

"""Shared set-up for benchmark scripts: a separate PostgreSQL database, Django configured."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qms_bench")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
# DEBUG keeps every query in memory: benchmarks measure production behaviour.
os.environ.setdefault("DJANGO_DEBUG", "false")


def setup() -> None:
    import django
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    from django.core.management import call_command

    if os.environ.get("BENCH_MIGRATE", "1") == "1":  # BENCH_MIGRATE=0: the schema is being changed by hand
        call_command("migrate", verbosity=0)


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

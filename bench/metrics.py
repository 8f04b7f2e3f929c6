"""Metrics at scale (issue #12): seeds through ``seed_scale`` and prints every figure next to
its target, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_scale .venv/bin/python bench/metrics.py \\
        --posts 10000000 --reviews 10000000 --teams 20 --days 730 [--new 10000] [--reminders 100000]

1. Full rebuild of every table in ``metrics.rollups.ROLLUP_TABLES`` against one plain
   ``INSERT … SELECT … GROUP BY`` per table over the same rows (``BASELINES``; a table
   without one is rebuilt and compared but has no ratio). The baseline rows must equal the
   rebuilt ones.
2. ``--new`` reviews (with defects) written by one statement, then an incremental run: its
   database time, and every rollup table identical (id and run token aside) to a full rebuild.
3. Every dashboard API call and the dashboard page as "scale-qa" (every seeded team), server
   time in process, and the same numbers by a GROUP BY over the base tables.
4. ``send_due_reminders`` over ``--reminders`` open CAPA action items: time, and each due
   reminder stored once (a second run stores none).
Timings are medians of --runs after a warm-up; the machine is whatever else runs on it.
"""

import argparse
import os
import statistics
import time

# Rollup runs are worker jobs: the worker's statement timeout, not the web's 30 s.
os.environ.setdefault("QMS_PROCESS_ROLE", "worker")

from common import setup

# One plain INSERT … SELECT … GROUP BY per rollup table: the same rows, no keys, no upsert.
BASELINES = {
    "metrics_reviewdaily": """
INSERT INTO bench_baseline (day, team_id, account_id, platform, stage, reviews, passed, passed_minor, failed,
                            review_seconds, run_token)
SELECT (r.submitted_at AT TIME ZONE %(tz)s)::date, r.team_id, p.account_id, a.platform, r.stage, count(*),
       count(*) FILTER (WHERE r.outcome = 'pass'), count(*) FILTER (WHERE r.outcome = 'pass_minor'),
       count(*) FILTER (WHERE r.outcome = 'fail'), coalesce(sum(r.time_spent_seconds), 0), 0
  FROM post_reviews_postreview r
  JOIN post_reviews_post p ON p.id = r.post_id
  JOIN post_reviews_socialaccount a ON a.id = p.account_id
 GROUP BY 1, 2, 3, 4, 5""",
    "metrics_defectdaily": """
INSERT INTO bench_baseline (day, team_id, account_id, platform, category, severity, defects, run_token)
SELECT (r.submitted_at AT TIME ZONE %(tz)s)::date, r.team_id, p.account_id, a.platform, d.category, d.severity,
       count(*), 0
  FROM post_reviews_defect d
  JOIN post_reviews_postreview r ON r.id = d.review_id
  JOIN post_reviews_post p ON p.id = r.post_id
  JOIN post_reviews_socialaccount a ON a.id = p.account_id
 GROUP BY 1, 2, 3, 4, 5, 6""",
}

# The dashboard's numbers straight from the base tables, for the "20x faster" comparison.
BASE_REVIEWS = """
SELECT date_trunc('week', (r.submitted_at AT TIME ZONE %(tz)s)::date), count(*),
       count(*) FILTER (WHERE r.outcome <> 'fail')
  FROM post_reviews_postreview r
 WHERE r.team_id = ANY(%(teams)s) AND r.submitted_at >= %(lo)s AND r.submitted_at < %(hi)s GROUP BY 1"""
BASE_DEFECTS = """
SELECT d.category, count(*) FROM post_reviews_defect d JOIN post_reviews_postreview r ON r.id = d.review_id
 WHERE r.team_id = ANY(%(teams)s) AND r.submitted_at >= %(lo)s AND r.submitted_at < %(hi)s GROUP BY 1"""
BASE_DEFECTS_WEEKLY = """
SELECT date_trunc('week', (r.submitted_at AT TIME ZONE %(tz)s)::date), count(*) FROM post_reviews_defect d
  JOIN post_reviews_postreview r ON r.id = d.review_id
 WHERE r.team_id = ANY(%(teams)s) AND r.submitted_at >= %(lo)s AND r.submitted_at < %(hi)s GROUP BY 1"""

NEW_REVIEWS = """
WITH made AS (
  INSERT INTO post_reviews_postreview (post_id, team_id, reviewer_id, checklist_id, checklist_version, stage,
      outcome, score, time_spent_seconds, post_content_hash, notes, submitted_at)
  SELECT r.post_id, r.team_id, r.reviewer_id, r.checklist_id, r.checklist_version, 'post_publication',
      CASE WHEN r.id %% 9 = 0 THEN 'fail' ELSE 'pass' END, 100.0, 45, r.post_content_hash, 'bench',
      now() - make_interval(secs => r.id %% 3600)
    FROM post_reviews_postreview r ORDER BY r.id DESC LIMIT %(n)s
  RETURNING id, post_id, team_id, outcome
)
INSERT INTO post_reviews_defect (review_id, post_id, team_id, category, severity, note, created_at)
SELECT id, post_id, team_id, 'timing', 'major', '', now() FROM made WHERE outcome = 'fail'
"""


def timed(fn, runs=1):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def line(what: str, value: str, target: str, ok: bool | None) -> None:
    mark = "" if ok is None else ("ok" if ok else "MISSED")
    print(f"  {what:58s} {value:>22s}   target {target:18s} {mark}", flush=True)


def table_rows(cursor, table: str) -> set:
    cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - the registered rollup tables
    names = [c.name for c in cursor.description]
    keep = [i for i, n in enumerate(names) if n not in ("id", "run_token")]
    return {tuple(row[i] for i in keep) for row in cursor.fetchall()}


def rebuild(args, cursor, tz):
    from metrics import rollups
    from metrics.services import rollup_metrics

    print("\n1. Full rebuild against a plain INSERT … SELECT … GROUP BY")
    baseline_total = 0.0
    baseline_rows = {}
    for table in rollups.ROLLUP_TABLES:
        sql = BASELINES.get(table)
        if sql is None:
            line(f"{table}: no baseline statement in bench/metrics.py", "-", "-", None)
            continue
        cursor.execute("DROP TABLE IF EXISTS bench_baseline")
        cursor.execute(f"CREATE TEMP TABLE bench_baseline (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)")
        ms, _ = timed(lambda sql=sql: cursor.execute(sql, {"tz": tz}))
        baseline_total += ms
        baseline_rows[table] = table_rows(cursor, "bench_baseline")
        line(f"plain GROUP BY into {table} ({len(baseline_rows[table]):,} rows)", f"{ms:,.0f} ms", "", None)
    first, _ = timed(lambda: rollup_metrics(full=True))
    again, run = timed(lambda: rollup_metrics(full=True))
    line(f"full rebuild, empty or stale tables ({run.keys:,} keys)", f"{first:,.0f} ms", "", None)
    ok = again <= 1.5 * baseline_total if baseline_total else None
    line("full rebuild over populated tables", f"{again:,.0f} ms", "<= 1.5x baseline", ok)
    if baseline_total:
        line("  ratio to the plain GROUP BYs", f"{again / baseline_total:.2f}x", "<= 1.5x", ok)
    for table, rows in baseline_rows.items():
        same = table_rows(cursor, table) == rows
        line(f"{table} rows equal the plain GROUP BY", str(same), "True", same)


def incremental(args, cursor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from metrics import rollups
    from metrics.services import rollup_metrics

    print(f"\n2. Incremental run after {args.new:,} new reviews")
    ms, _ = timed(lambda: cursor.execute(NEW_REVIEWS, {"n": args.new}))
    line(f"insert {args.new:,} reviews and their defects (one statement)", f"{ms:,.0f} ms", "", None)
    with CaptureQueriesContext(connection) as queries:
        wall, run = timed(lambda: rollup_metrics())
    db = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    line(
        f"incremental run, database time ({run.keys} keys, {len(queries)} statements)",
        f"{db:,.1f} ms",
        "< 100 ms",
        db < 100,
    )
    line("incremental run, wall time", f"{wall:,.1f} ms", "", None)
    after = {t: table_rows(cursor, t) for t in rollups.ROLLUP_TABLES}
    rollup_metrics(full=True)
    for table in rollups.ROLLUP_TABLES:
        same = table_rows(cursor, table) == after[table]
        line(f"{table} after incremental == full rebuild", str(same), "True", same)


def dashboard(args, cursor, tz):
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from metrics.definitions import METRICS

    print("\n3. Dashboard API and page (as scale-qa, every seeded team)")
    user = User.objects.get(username="scale-qa")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    teams = list(user.memberships.values_list("team_id", flat=True))
    today = timezone.localdate()
    ranges = {"90 days": (today - timedelta(days=89), today), "2 years": (today - timedelta(days=729), today)}
    for label, (lo, hi) in ranges.items():
        q = f"from={lo}&to={hi}&interval=week"
        bounds = {"teams": teams, "tz": tz, "lo": lo, "hi": hi + timedelta(days=1)}
        base_ms = {}
        for name, sql in (("reviews", BASE_REVIEWS), ("defects", BASE_DEFECTS), ("weekly", BASE_DEFECTS_WEEKLY)):
            base_ms[name], _ = timed(lambda s=sql, b=bounds: cursor.execute(s, b), runs=max(1, args.runs // 2))
        calls = [(f"/api/v1/metrics/series/?metric={m}&{q}", m) for m in METRICS]
        calls += [(f"/api/v1/metrics/p-chart/?{q}", "p-chart"), (f"/api/v1/metrics/pareto/?{q}", "pareto")]
        print(
            f"  {label}: base-table GROUP BYs {base_ms['reviews']:,.0f} ms (reviews), "
            f"{base_ms['defects']:,.0f} ms (defects by category), {base_ms['weekly']:,.0f} ms (defects by week)"
        )
        for url, name in calls:
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                ms, response = timed(lambda url=url: client.get(url), runs=args.runs)
            assert response.status_code == 200, (url, response.status_code)
            if name == "pareto":
                base = base_ms["defects"]
            elif name in METRICS and "defect" in name:
                base = base_ms["weekly"] + (base_ms["reviews"] if METRICS[name].denominator else 0)
            else:
                base = base_ms["reviews"]
            n = len(queries) // args.runs
            line(f"API {name} ({label}, {n} queries)", f"{ms:,.1f} ms", "< 100 ms", ms < 100)
            line(f"  base tables / rollups ({base:,.0f} ms)", f"{base / ms:,.0f}x", ">= 20x", base / ms >= 20)
        page = f"/metrics/?{q}"
        client.get(page)
        with CaptureQueriesContext(connection) as queries:
            ms, response = timed(lambda page=page: client.get(page), runs=args.runs)
        assert response.status_code == 200, response.status_code
        n = len(queries) // args.runs
        line(f"dashboard page ({label}, {n} queries)", f"{ms:,.1f} ms", "< 150 ms", ms < 150)


def reminders(args, cursor):
    from django.utils import timezone

    from accounts.models import User
    from core.models import Notification
    from core.services import reminders_send_due

    print(f"\n4. send_due_reminders over {args.reminders:,} open action items")
    user = User.objects.get(username="scale-qa")
    team_id = user.memberships.order_by("team_id").values_list("team_id", flat=True).first()
    cursor.execute("SELECT count(*) FROM capa_actionitem WHERE description LIKE 'bench-reminder %'")
    have = cursor.fetchone()[0]
    if have < args.reminders:
        # 1,000 open corrective actions of the first team, 100 items each; due from 30 days ago
        # to 30 days ahead, so every reminder window (7 days, 1 day, due, overdue) is reached.
        cursor.execute(
            """
            INSERT INTO capa_correctiveaction (reference, team_id, title, owner_id, status, opened_at, opened_by_id,
                five_whys, fishbone, root_cause, root_cause_category, reopen_reason, cancel_reason)
            SELECT 'BENCH-' || g, %(team)s, 'Bench CAPA ' || g, %(user)s, 'implementing', now(), %(user)s,
                '[]', '{}', '', '', '', ''
              FROM generate_series(1, %(cas)s) g ON CONFLICT (reference) DO NOTHING
            """,
            {"team": team_id, "user": user.pk, "cas": max(1, args.reminders // 100)},
        )
        cursor.execute(
            """
            INSERT INTO capa_actionitem (corrective_action_id, description, action_type, owner_id, due_date,
                done_note, created_at, created_by_id)
            SELECT c.id, 'bench-reminder ' || g, 'corrective', %(user)s, current_date + (g %% 61 - 30), '', now(),
                %(user)s
              FROM generate_series(%(start)s, %(n)s) g
              JOIN capa_correctiveaction c ON c.reference = 'BENCH-' || (1 + g %% %(cas)s)
            """,
            {"user": user.pk, "start": have + 1, "n": args.reminders, "cas": max(1, args.reminders // 100)},
        )
    Notification.objects.filter(title__contains="BENCH-").delete()
    now = timezone.now()
    first_ms, created = timed(lambda: reminders_send_due(now=now))
    stored = Notification.objects.filter(title__contains="BENCH-").count()
    keys = Notification.objects.filter(title__contains="BENCH-").values(
        "recipient_id", "kind", "subject_id", "due_bucket"
    )
    distinct = keys.distinct().count()
    second_ms, again = timed(lambda: reminders_send_due(now=now))
    line(f"first run: {created:,} reminders stored", f"{first_ms / 1000:,.1f} s", "< 30 s", first_ms < 30_000)
    line("each due reminder stored once", f"{stored:,} rows, {distinct:,} keys", "equal", stored == distinct)
    line("second run stores nothing", f"{again} new, {second_ms / 1000:,.1f} s", "0 new", again == 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=10_000_000)
    parser.add_argument("--reviews", type=int, default=10_000_000)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip", default="", help="Comma-separated parts to skip: rebuild,incremental,api,reminders")
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    skip = set(filter(None, args.skip.split(",")))
    start = time.perf_counter()
    call_command("seed_scale", posts=args.posts, reviews=args.reviews, teams=args.teams, days=args.days)
    print(f"seed_scale: {time.perf_counter() - start:,.0f} s")
    tz = settings.QMS_METRICS_TIME_ZONE
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        for table in ("post_reviews_postreview", "post_reviews_defect"):
            cursor.execute(f"SELECT reltuples::bigint FROM pg_class WHERE relname = '{table}'")  # noqa: S608
            print(f"{table}: ~{cursor.fetchone()[0]:,} rows")
        cursor.execute("SHOW work_mem")
        print(f"work_mem {cursor.fetchone()[0]}; metrics time zone {tz}")
        if "rebuild" not in skip:
            rebuild(args, cursor, tz)
        if "incremental" not in skip:
            incremental(args, cursor)
        if "api" not in skip:
            dashboard(args, cursor, tz)
        if "reminders" not in skip:
            reminders(args, cursor)


if __name__ == "__main__":
    main()

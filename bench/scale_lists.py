"""Server time and query count of the review queue and the API lists at scale, every filter alone
and paired with each other filter of the same list.

    .venv/bin/python manage.py seed_scale --posts 10000000 --reviews 10000000 --teams 20   # DATABASE_URL set
    .venv/bin/python bench/scale_lists.py [--runs 5] [--only posts] [--explain bench/results/x.txt]

Requests go through Django's full stack in process (no network), as the "scale-qa" user (a QA
manager of every seeded team, so every list spans all the rows); each is timed over --runs runs
after one warm-up and the median is printed with its query count and its database time (the
sum of its queries' times), against the 150 ms target.
Filter values are the hard ones: the seed puts every waiting post on each team's Instagram
account, so ``platform=x&review_state=pending`` matches nothing, and nothing is approved for
publishing. ``--explain`` writes EXPLAIN (ANALYZE, BUFFERS) of every query of the requests over
--explain-over ms.
"""

import argparse
import base64
import itertools
import os
import statistics
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from common import setup

TARGET_MS = 150


def cursor_after(post_id: int) -> str:
    # DRF's cursor: base64 of "p=<position>" for the ordering field (-id).
    return quote(base64.b64encode(f"p={post_id}".encode()).decode())


def combos(filters: dict[str, str]) -> list[dict[str, str]]:
    """Each filter alone, then each pair."""
    singles = [{k: v} for k, v in filters.items()]
    pairs = [dict(p) for p in itertools.combinations(filters.items(), 2)]
    return singles + pairs


def cases(user) -> list[tuple[str, str, str]]:
    from post_reviews.models import Post, PostReview, SocialAccount

    team_ids = list(user.memberships.values_list("team_id", flat=True))
    posts = Post.objects.filter(team_id__in=team_ids)
    newest = posts.order_by("-id").values_list("id", flat=True).first()
    oldest = posts.order_by("id").values_list("id", flat=True).first()
    mid, deep = (newest + oldest) // 2, oldest + (newest - oldest) // 100
    waiting = posts.filter(review_state__in=["pending", "changed"]).order_by("-precheck_failures", "id")
    deep_wait = waiting.filter(precheck_failures=0).values_list("precheck_failures", "id").order_by("-id").first()
    reviews = PostReview.objects.filter(team_id__in=team_ids)
    reviews_deep = reviews.order_by("id").values_list("id", flat=True)[1000]
    # An X account (nothing waiting on it) and an Instagram one (all of its team's backlog).
    x_account = SocialAccount.objects.filter(team_id__in=team_ids, platform="x").order_by("id").first().pk
    ig_account = SocialAccount.objects.filter(team_id__in=team_ids, platform="instagram").order_by("id").first().pk
    a_post = reviews.order_by("id").values_list("post_id", flat=True)[5000]
    out = [
        ("queue", "page 1", "/reviews/"),
        ("queue", "deep page", f"/reviews/?after={deep_wait[0]}:{deep_wait[1]}" if deep_wait else "/reviews/"),
        ("posts", "page 1", "/api/v1/posts/"),
        ("posts", "middle", f"/api/v1/posts/?cursor={cursor_after(mid)}"),
        ("posts", "deep", f"/api/v1/posts/?cursor={cursor_after(deep)}"),
        ("post-reviews", "page 1", "/api/v1/post-reviews/"),
        ("post-reviews", "deep", f"/api/v1/post-reviews/?cursor={cursor_after(reviews_deep)}"),
        ("accounts", "page 1", "/api/v1/social-accounts/"),
    ]
    lists = {
        "queue": (
            "/reviews/",
            {"account": str(ig_account), "platform": "x", "campaign": "autumn", "stage": "pre_publication"},
        ),
        "posts": (
            "/api/v1/posts/",
            {
                "account": str(x_account),
                "platform": "x",
                "review_state": "pending",
                "campaign": "autumn",
                "approved_for_publishing": "true",
            },
        ),
        "post-reviews": ("/api/v1/post-reviews/", {"post": str(a_post), "stage": "pre_publication", "outcome": "fail"}),
        "accounts": ("/api/v1/social-accounts/", {"team": str(team_ids[0]), "platform": "x"}),
    }
    for name, (path, filters) in lists.items():
        for combo in combos(filters):
            out.append((name, "&".join(f"{k}={v}" for k, v in combo.items()), f"{path}?{urlencode(combo)}"))
    # Extra: the posts list's other account (its team's whole backlog) with the state filter.
    both = f"/api/v1/posts/?account={ig_account}&review_state=pending"
    out.append(("posts", "account=<instagram>&review_state=pending", both))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="Only this list: queue, posts, post-reviews, accounts.")
    parser.add_argument("--explain", default="", help="File for EXPLAIN (ANALYZE, BUFFERS) of the slow requests.")
    parser.add_argument("--explain-over", type=float, default=TARGET_MS / 3)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from post_reviews.models import Post, PostReview

    user = User.objects.get(username="scale-qa")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    team_ids = list(user.memberships.values_list("team_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'post_reviews_post'")
        approx_posts = cursor.fetchone()[0]
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'post_reviews_postreview'")
        approx_reviews = cursor.fetchone()[0]
    waiting = Post.objects.filter(team_id__in=team_ids, review_state__in=["pending", "changed"]).count()
    print(f"teams: {len(team_ids)}; posts ~{approx_posts:,}; reviews ~{approx_reviews:,}; waiting: {waiting:,}")
    del PostReview
    explain_out = []
    rows = []
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"{'list':13s} {'case':55s} {'ms':>8s} {'queries':>7s} {'db ms':>8s}  target")
    for name, label, url in cases(user):
        if args.only and name != args.only:
            continue
        try:
            client.get(url)
        except Exception as exc:  # a statement timeout: report it, go on with the next case
            rows.append((name, label, 30_000.0, 0))
            print(f"{name:13s} {label[:55]:55s} {'timeout':>8s} {'':>7s} {'':>8s}  {type(exc).__name__}", flush=True)
            continue
        times, db_times = [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            db_times.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
        ms, db_ms = statistics.median(times), statistics.median(db_times)
        ok = "ok" if ms < TARGET_MS else "MISSED"
        rows.append((name, label, ms, len(queries)))
        print(f"{name:13s} {label[:55]:55s} {ms:8.1f} {len(queries):7d} {db_ms:8.1f}  <{TARGET_MS} {ok}", flush=True)
        if args.explain and ms > args.explain_over:
            explain_out.append(f"==== {name} {label}: {ms:.1f} ms, {len(queries)} queries\n{url}\n")
            with connection.cursor() as cursor:
                for q in queries.captured_queries:
                    sql = q["sql"]
                    reads = sql.lstrip().upper().startswith("SELECT") and "django_session" not in sql
                    if not reads or float(q["time"]) * 1000 < 2:  # no session keys in the file
                        continue
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = "\n".join(r[0] for r in cursor.fetchall())
                    explain_out.append(f"-- {float(q['time']) * 1000:.1f} ms\n{sql}\n{plan}\n")
    worst = max(rows, key=lambda r: r[2])
    print(f"worst: {worst[0]} {worst[1]} {worst[2]:.1f} ms; missed: {sum(r[2] >= TARGET_MS for r in rows)}")
    if args.explain:
        Path(args.explain).parent.mkdir(parents=True, exist_ok=True)
        Path(args.explain).write_text("\n".join(explain_out) or "no request over the threshold\n")
        print(f"plans: {args.explain}")


if __name__ == "__main__":
    main()

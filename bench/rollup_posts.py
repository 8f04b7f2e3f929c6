"""The post rollups (posts, engagement, pre-check failures) at volume.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_<you> .venv/bin/python bench/rollup_posts.py 200000

Inserts N published posts of one team over 365 days on four accounts, with engagement and one
in 20 failing a pre-check, in one statement (the queue triggers fire once), then measures: the
queue rows that statement left, a full rebuild, an incremental run after the engagement of one
day's posts changed, and an idle incremental run.
"""

import sys
import time

from common import setup


def main(rows: int) -> None:
    setup()
    from django.db import connection

    from accounts.services import team_create
    from metrics.models import PostDaily, RollupDirty
    from metrics.services import rollup_metrics
    from post_reviews.models import SocialAccount

    team = team_create(name=f"Bench rollups {int(time.time())}")
    accounts = [
        SocialAccount.objects.create(team=team, platform=p, handle=f"rb{int(time.time())}{p}").pk
        for p in ("x", "instagram", "linkedin", "tiktok")
    ]
    RollupDirty.objects.all().delete()
    finding = '[{"rule": "alt-text-missing", "severity": "major", "message": "", "spans": []}]'
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO post_reviews_post (account_id, team_id, external_id, url, text, media, campaign, author_name,
                sponsored, status, published_at, source, content_hash, prechecks, precheck_failures, review_state,
                approved_for_publishing, created_at, updated_at, impressions, reach, likes, comments, shares, saves)
            SELECT (%(accounts)s::bigint[])[1 + i %% 4], %(team)s, 'rb-' || i, '', 'Post ' || i, '[]', '', '',
                   false, 'published', now() - (i %% 365) * interval '1 day' - (i %% 24) * interval '1 hour',
                   'csv', md5(i::text),
                   CASE WHEN i %% 20 = 0 THEN %(finding)s::jsonb ELSE '[]'::jsonb END,
                   CASE WHEN i %% 20 = 0 THEN 1 ELSE 0 END,
                   'pending', false, now(), now(), 1000 + i %% 997, 800 + i %% 500, 30 + i %% 41, i %% 7, i %% 5,
                   i %% 3
              FROM generate_series(1, %(rows)s) AS i
            """,
            {"accounts": accounts, "team": team.pk, "rows": rows, "finding": finding},
        )
        insert_s = time.perf_counter() - start
        cursor.execute("ANALYZE post_reviews_post")
    queued = RollupDirty.objects.count()
    print(f"insert of {rows:,} posts in one statement: {insert_s:.2f} s; queue rows left by the trigger: {queued:,}")

    start = time.perf_counter()
    run = rollup_metrics(full=True)
    full_s = time.perf_counter() - start
    print(f"full rebuild: {full_s:.2f} s for {run.keys} keys, {PostDaily.objects.filter(team_id=team.pk).count()} rows")

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE post_reviews_post SET likes = likes + 1 WHERE team_id = %s AND external_id LIKE 'rb-%%'"
            " AND published_at >= now() - interval '10 days' AND published_at < now() - interval '9 days'",
            [team.pk],
        )
        touched = cursor.rowcount
    start = time.perf_counter()
    run = rollup_metrics()
    elapsed = time.perf_counter() - start
    print(f"incremental after {touched} posts' engagement changed: {elapsed:.3f} s, {run.keys} keys")
    start = time.perf_counter()
    run = rollup_metrics()
    print(f"idle incremental: {time.perf_counter() - start:.3f} s, {run.keys} keys")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)

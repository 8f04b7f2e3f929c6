"""CSV import speed and memory against PostgreSQL's COPY of the same file.

    .venv/bin/python bench/import_csv.py 100000

Writes a CSV of N rows (one account, realistic text, 1 in 10 rows with an image), imports it
through the real service (import_run_execute), then measures two floors: COPY of the same file
into an unindexed table of text columns (the transport), and COPY of the same posts into the
posts table with its indexes and keys (the destination; rolled back). Prints rows/s for each and
the process's peak memory. Run with 10x N to see that memory stays flat.
"""

import csv
import os
import sys
import tempfile
import time

from common import peak_rss_mb, setup


def write_csv(path: str, rows: int, handle: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "account",
                "external_id",
                "text",
                "url",
                "media_type",
                "media_url",
                "alt_text",
                "sponsored",
                "published_at",
            ]
        )
        for i in range(rows):
            media = (
                ("image", f"https://cdn.example/{i}.jpg", "A scarf" if i % 3 else "") if i % 10 == 0 else ("", "", "")
            )
            w.writerow(
                [
                    f"instagram:{handle}",
                    f"bench-{i}",
                    f"Post {i}: new autumn scarves are in #knitwear https://brand.example/p/{i}?utm_source=ig",
                    f"https://instagram.example/p/{i}",
                    *media,
                    "yes" if i % 7 == 0 else "no",
                    "2026-11-01T10:00:00Z",
                ]
            )


def main(rows: int) -> None:
    setup()
    from django.core.files import File
    from django.db import connection, transaction

    from accounts.models import User
    from accounts.services import membership_grant, team_create
    from post_reviews.models import ImportRun, Post, SocialAccount
    from post_reviews.services.imports import import_run_execute

    team = team_create(name="Bench")
    user, _ = User.objects.get_or_create(username="bench-user")
    membership_grant(team=team, user=user, role="qa_manager", by=None)
    handle = f"bench{int(time.time())}"
    run_account = SocialAccount.objects.create(team=team, platform="instagram", handle=handle).pk
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as tmp:
        path = tmp.name
    write_csv(path, rows, handle)

    with open(path, "rb") as fh:
        run = ImportRun(team=team, uploaded_by=user, kind="csv", original_name="bench.csv")
        run.file.save("bench.csv", File(fh), save=False)  # streamed into storage, as an upload is
        run.save()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE post_reviews_post")  # what autovacuum keeps up to date on a live system
    before = Post.objects.count()
    start = time.perf_counter()
    run = import_run_execute(import_run_id=run.pk)
    elapsed = time.perf_counter() - start
    created = Post.objects.count() - before
    print(
        f"service import: {rows} rows, {created} created, {run.error_count} bad, "
        f"{elapsed:.2f} s, {rows / elapsed:,.0f} rows/s"
    )

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE copy_bench (account text, external_id text, text text, url text, media_type text, "
            "media_url text, alt_text text, sponsored text, published_at text)"
        )
        start = time.perf_counter()
        with (
            open(path, "rb") as fh,
            cursor.connection.cursor().copy("COPY copy_bench FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        raw_elapsed = time.perf_counter() - start
    print(f"COPY of the file into an unindexed table: {raw_elapsed:.2f} s, {rows / raw_elapsed:,.0f} rows/s")

    # The same posts COPYed straight into the posts table (its indexes and keys, no history rows):
    # what PostgreSQL itself needs on this machine to store these rows where the import stores them.
    twin = SocialAccount.objects.create(team=team, platform="instagram", handle=f"{handle}-copy")
    columns = (
        "external_id, url, text, media, campaign, author_name, sponsored, status, scheduled_at, published_at, "
        "source, content_hash, prechecks, precheck_failures, review_state, approved_for_publishing, created_at, "
        "updated_at, team_id"
    )
    dump = path + ".copy"
    with (
        connection.cursor() as cursor,
        open(dump, "wb") as out,
        cursor.connection.cursor().copy(
            f"COPY (SELECT {columns}, {twin.pk} FROM post_reviews_post WHERE account_id = {run_account}) TO STDOUT"  # noqa: S608
        ) as copy,
    ):
        for data in copy:
            out.write(data)
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        with (
            open(dump, "rb") as fh,
            cursor.connection.cursor().copy(f"COPY post_reviews_post ({columns}, account_id) FROM STDIN") as copy,
        ):
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred key checks, as at commit
        table_elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    os.unlink(dump)
    print(f"COPY of the same posts into the posts table: {table_elapsed:.2f} s, {rows / table_elapsed:,.0f} rows/s")
    print(
        f"service time / COPY time: {elapsed / raw_elapsed:.1f}x the file COPY, "
        f"{elapsed / table_elapsed:.1f}x the posts-table COPY; peak RSS {peak_rss_mb():.0f} MB"
    )
    os.unlink(path)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM post_reviews_post")  # the rolled-back COPY left dead rows behind


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

"""CSV import speed and memory against PostgreSQL's COPY of the same file.

    .venv/bin/python bench/import_csv.py 100000

Writes a CSV of N rows (one account, realistic text, 1 in 10 rows with an image), imports it
through the real service (import_run_execute) and COPYs the same file into a scratch table.
Prints rows/s for both and the process's peak memory. Run twice with 10x N to see memory.
"""

import csv
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
    from django.db import connection

    from accounts.models import User
    from accounts.services import membership_grant, team_create
    from post_reviews.models import ImportRun, Post, SocialAccount
    from post_reviews.services.imports import import_run_execute

    team = team_create(name="Bench")
    user, _ = User.objects.get_or_create(username="bench-user")
    membership_grant(team=team, user=user, role="qa_manager", by=None)
    handle = f"bench{int(time.time())}"
    SocialAccount.objects.create(team=team, platform="instagram", handle=handle)
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
        copy_elapsed = time.perf_counter() - start
    print(f"COPY of the same file: {copy_elapsed:.2f} s, {rows / copy_elapsed:,.0f} rows/s")
    print(f"ratio service/COPY time: {elapsed / copy_elapsed:.1f}x; peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

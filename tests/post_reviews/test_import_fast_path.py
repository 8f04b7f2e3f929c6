"""The PostgreSQL import path: COPY text escaping, the hand-written content hash, the parsing
thread, the composite account/team key, and two imports of the same new posts at once."""

import hashlib
import json
import threading
from datetime import UTC

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from post_reviews.models import Post
from post_reviews.services.bulk_pg import copy_line, posts_copy_upsert
from post_reviews.services.imports import _Prefetch
from post_reviews.services.posts import PostInput, content_hash
from post_reviews.workflow import REVIEWED_FIELDS
from tests.conftest import make_personas
from tests.post_reviews.test_imports import HEADER, run_import

_media = st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["image", "video", "gif"]), "url": st.text(), "alt_text": st.text()}
    ),
    max_size=3,
)


@given(
    text=st.text(),
    media=_media,
    url=st.text(),
    campaign=st.text(),
    sponsored=st.booleans(),
    scheduled_at=st.none() | st.datetimes(timezones=st.timezones()),
)
@settings(max_examples=300, deadline=None)
def test_content_hash_is_the_sha256_of_the_canonical_json_of_the_reviewed_fields(
    text, media, url, campaign, sponsored, scheduled_at
):
    values = {"text": text, "media": media, "url": url, "campaign": campaign, "sponsored": sponsored}
    values["scheduled_at"] = scheduled_at.astimezone(UTC).isoformat() if scheduled_at else None
    assert set(values) == set(REVIEWED_FIELDS)  # the hash covers exactly the reviewed fields
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    expected = hashlib.sha256(canonical.encode()).hexdigest()
    assert (
        content_hash(text, media, url=url, campaign=campaign, sponsored=sponsored, scheduled_at=scheduled_at)
        == expected
    )


@pytest.mark.django_db
def test_text_with_tabs_backslashes_quotes_and_line_breaks_is_stored_exactly(
    people, accounts, django_capture_on_commit_callbacks
):
    text = 'Tab\there, a back\\slash, "quotes", \\N and\r\nWindows and\nUnix line ends \\t'
    alt = "Alt\twith\\ a tab"
    content = (
        b"account,external_id,text,media_type,media_url,alt_text\n"
        + b"brand.ig,esc-1,"
        + ('"' + text.replace('"', '""') + '"').encode()
        + b",image,https://cdn.example/a.jpg,"
        + alt.encode()
        + b"\n"
    )
    run = run_import(people, content, django_capture_on_commit_callbacks)

    assert run.status == "done" and run.created_count == 1, run.errors
    post = Post.objects.get(external_id="esc-1")
    assert post.text == text
    assert post.media == [{"type": "image", "url": "https://cdn.example/a.jpg", "alt_text": alt}]
    assert post.content_hash == content_hash(text, post.media)
    assert post.history.get().history_type == "+"


@pytest.mark.django_db
def test_a_post_repeated_in_one_file_keeps_its_first_row(people, accounts, django_capture_on_commit_callbacks):
    content = HEADER + b"brand.ig,dup-1,First,,no\nbrand.ig,dup-1,Second,,no\nbrand.ig,dup-2,Other,,no\n"
    run = run_import(people, content, django_capture_on_commit_callbacks)

    assert (run.rows_done, run.created_count, run.unchanged_count, run.error_count) == (3, 2, 1, 0)
    assert Post.objects.get(external_id="dup-1").text == "First"
    assert Post.history.filter(external_id="dup-1").count() == 1


def test_the_parser_threads_error_is_raised_in_the_importing_thread():
    def rows():
        yield 1
        yield 2
        raise ValueError("line 3 is broken")

    seen = []
    with pytest.raises(ValueError, match="line 3"), _Prefetch(rows()) as results:
        seen.extend(results)
    assert seen == [1, 2]


def test_an_importer_that_stops_early_leaves_no_parser_running():
    def endless():
        n = 0
        while True:
            n += 1
            yield n

    prefetch = _Prefetch(endless(), depth=2)
    with pytest.raises(RuntimeError), prefetch as results:
        for n in results:
            if n == 3:
                raise RuntimeError("the database refused the batch")
    assert not prefetch._thread.is_alive()


@pytest.mark.django_db
def test_postgresql_refuses_a_post_whose_team_is_not_its_accounts_team(people, accounts):
    if connection.vendor != "postgresql":
        pytest.skip("the composite key exists on PostgreSQL only")
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        Post.objects.create(account=accounts.instagram, team=people.team_b, external_id="wrong-team", text="Hi")
    assert not Post.objects.filter(external_id="wrong-team").exists()


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_new_posts_at_once_create_each_post_once():
    """The second import's anti-join can't see the first's uncommitted rows; its INSERT waits on the
    unique index, fails when the first commits, and the batch retries skipping what now exists."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL path")
    from post_reviews import services

    people = make_personas()
    account = services.account_create(team_id=people.team_a.pk, platform="x", handle="racer", by=people.qa)
    lines = [
        copy_line(account.pk, account.team_id, PostInput(external_id=f"race-{i}", text=f"Post {i}")) for i in range(50)
    ]
    second: dict = {}

    def second_import():
        try:
            second["result"] = posts_copy_upsert(lines=lines, source="csv", by=people.qa)
        except Exception as exc:  # reported to the test thread
            second["error"] = exc
        finally:
            connection.close()

    with transaction.atomic():
        first = posts_copy_upsert(lines=lines, source="csv", by=people.qa)
        thread = threading.Thread(target=second_import)
        thread.start()
        _wait_until_blocked_on_a_lock(second)
    thread.join(30)

    assert len(first["created"]) == 50
    assert "error" not in second, second.get("error")
    assert second["result"]["created"] == [] and second["result"]["updated"] == []
    assert Post.objects.filter(account=account).count() == 50
    assert Post.history.filter(account_id=account.pk, history_type="+").count() == 50


def _wait_until_blocked_on_a_lock(second) -> None:
    """Poll pg_stat_activity until another backend waits for a lock (at most ~10 s)."""
    with connection.cursor() as cursor:
        for _ in range(1000):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # statistics are otherwise frozen per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.01)
    raise AssertionError(f"the second import never waited for the first: {second}")


@pytest.mark.django_db
def test_autovacuum_visits_the_posts_table_after_a_large_import_not_a_fifth_of_the_table():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL storage parameters")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'post_reviews_post'")
        options = set(cursor.fetchone()[0] or [])
    assert {"autovacuum_vacuum_insert_scale_factor=0.02", "autovacuum_analyze_scale_factor=0.02"} <= options


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("when", "stored"),
    [
        ("2026-01-01T00:00:00+16:00", "2025-12-31T08:00:00+00:00"),  # offset PostgreSQL refuses: stored in UTC
        ("2026-01-01T00:00:00+05:30:45.123456", "2025-12-31T18:29:14.876544+00:00"),
        ("0001-01-01T00:00:00+05:00", None),  # before year 1 in UTC: a bad row
    ],
)
def test_dates_postgresql_would_refuse_are_stored_in_utc_or_reported_never_fail_the_import(
    people, accounts, django_capture_on_commit_callbacks, when, stored
):
    content = HEADER + f"brand.ig,tz-1,Fine,{when},no\nbrand.ig,tz-2,Also fine,2026-01-01T09:00:00+05:30,no\n".encode()
    run = run_import(people, content, django_capture_on_commit_callbacks)

    assert run.status == "done", run.message
    assert Post.objects.get(external_id="tz-2").published_at.isoformat() == "2026-01-01T03:30:00+00:00"
    if stored is None:
        assert run.created_count == 1
        assert [e["line"] for e in run.errors] == [2] and "out of range" in run.errors[0]["reason"]
    else:
        assert run.created_count == 2 and run.errors == []
        assert Post.objects.get(external_id="tz-1").published_at.isoformat() == stored


@pytest.mark.django_db
def test_a_tweet_with_a_lone_surrogate_is_a_bad_row(people, accounts, django_capture_on_commit_callbacks):
    content = (
        b'window.YTD.tweets.part0 = [{"tweet": {"id_str": "1", "full_text": "Broken \\ud83d",'
        b' "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}, {"tweet": {"id_str": "2", "full_text": "Fine",'
        b' "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}]'
    )
    run = run_import(
        people,
        content,
        django_capture_on_commit_callbacks,
        name="tweets.js",
        kind="x_archive",
        account_id=accounts.x.pk,
    )

    assert run.status == "done", run.message
    assert run.created_count == 1 and [e["line"] for e in run.errors] == [1]
    assert "Unicode" in run.errors[0]["reason"]


@pytest.mark.django_db
def test_imported_media_is_trimmed_like_the_form_and_api_so_the_hashes_agree(
    people, accounts, django_capture_on_commit_callbacks
):
    from post_reviews.services.posts import clean_media

    alt = "A" * 1200
    content = (
        b"account,external_id,text,media_url,alt_text\nbrand.ig,long-alt,Hi,https://cdn.example/a.jpg," + alt.encode()
    )
    run_import(people, content + b"\n", django_capture_on_commit_callbacks)

    post = Post.objects.get(external_id="long-alt")
    assert post.media[0]["alt_text"] == alt[:1000]
    raw = [{"type": "image", "url": "https://cdn.example/a.jpg", "alt_text": alt}]
    assert post.content_hash == content_hash("Hi", clean_media(raw))

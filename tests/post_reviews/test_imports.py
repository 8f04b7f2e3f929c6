"""Imports: bad rows reported by exact line and reason, good rows in, repeats idempotent."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from post_reviews import services
from post_reviews.models import ImportRun, Post, PostReview
from tests.post_reviews.conftest import results_for

pytestmark = pytest.mark.django_db

HEADER = b"account,external_id,text,published_at,sponsored\n"
LONG_X_TEXT = "Long " * 70  # 350 characters: over X's 280

GOOD_AND_BAD = (
    HEADER
    + b"brand.ig,ig-1,Hello from the brand,2026-01-05T09:30:00Z,no\n"  # 2 good
    + b"brand.ig,ig-2,A post,yesterday,no\n"  # 3 bad date
    + b'x:brand,x-1,"First line\nsecond line, with a comma",2026-01-06T10:00:00Z,no\n'  # 4-5 good, multi-line
    + b"nobody,n-1,A post,,no\n"  # 6 unknown account
    + b"brand-li,li-1,,,no\n"  # 7 missing text
    + b"brand-li,li-2,A post\n"  # 8 three columns of five
    + b"brand-li,li-3,Caf\xff au lait,,no\n"  # 9 not UTF-8
    + b"brand-li,li-4,Our new office opens,,no\n"  # 10 good
    + b"x:brand,x-2,"
    + LONG_X_TEXT.encode()
    + b",,no\n"  # 11 good, over the X limit
)
GOOD_IDS = {"ig-1", "x-1", "li-4", "x-2"}


def run_import(people, content: bytes, capture, *, name="posts.csv", kind="csv", account_id=None, by=None):
    with capture(execute=True):
        run = services.import_run_create(
            team_id=people.team_a.pk,
            upload=SimpleUploadedFile(name, content, content_type="text/csv"),
            kind=kind,
            account_id=account_id,
            by=by or people.qa,
        )
    run.refresh_from_db()
    return run


def test_csv_import_reports_bad_rows_by_exact_line_and_stores_only_good_rows(
    people, accounts, django_capture_on_commit_callbacks
):
    run = run_import(people, GOOD_AND_BAD, django_capture_on_commit_callbacks)

    assert run.status == "done" and run.message == ""
    assert (run.created_count, run.updated_count, run.unchanged_count) == (4, 0, 0)
    assert run.error_count == 5
    lines = {e["line"]: e["reason"] for e in run.errors}
    assert sorted(lines) == [3, 6, 7, 8, 9]
    assert "published_at" in lines[3] and "'yesterday' is not a date-time" in lines[3]
    assert "Unknown account 'nobody'" in lines[6]
    assert "no text" in lines[7]
    assert "Expected 5 columns, found 3" in lines[8]
    assert "UTF-8" in lines[9]
    assert set(Post.objects.values_list("external_id", flat=True)) == GOOD_IDS
    multi = Post.objects.get(external_id="x-1")
    assert multi.text == "First line\nsecond line, with a comma"
    assert multi.account == accounts.x and multi.source == "csv" and multi.author is None
    assert str(multi.published_at) == "2026-01-06 10:00:00+00:00"


def test_text_over_the_platform_limit_is_imported_with_a_finding(people, accounts, django_capture_on_commit_callbacks):
    run_import(people, GOOD_AND_BAD, django_capture_on_commit_callbacks)
    post = Post.objects.get(external_id="x-2")
    assert post.text == LONG_X_TEXT
    assert "over-length" in {f["rule"] for f in post.prechecks}
    assert post.precheck_failures >= 1


def test_the_same_file_twice_changes_nothing(people, accounts, django_capture_on_commit_callbacks):
    run_import(people, GOOD_AND_BAD, django_capture_on_commit_callbacks)
    history = Post.history.count()
    posts = Post.objects.count()

    again = run_import(people, GOOD_AND_BAD, django_capture_on_commit_callbacks)

    assert again.status == "done"
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, len(GOOD_IDS))
    assert again.error_count == 5
    assert Post.history.count() == history
    assert Post.objects.count() == posts


def test_changed_text_marks_a_reviewed_post_changed_since_review(
    people, accounts, checklist, django_capture_on_commit_callbacks, client_for
):
    run_import(people, GOOD_AND_BAD, django_capture_on_commit_callbacks)
    post = Post.objects.get(external_id="ig-1")
    review = services.review_submit(
        data=services.ReviewInput(
            post_id=post.pk, checklist_id=checklist.pk, stage="pre_publication", results=results_for(checklist)
        ),
        by=people.reviewer,
    )
    post.refresh_from_db()
    assert post.review_state == "passed" and post.approved_for_publishing
    old_hash = post.content_hash

    changed = HEADER + b"brand.ig,ig-1,Hello from the brand - now 20% off,2026-01-05T09:30:00Z,no\n"
    run = run_import(people, changed, django_capture_on_commit_callbacks)

    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 1, 0)
    post.refresh_from_db()
    assert post.review_state == "changed"
    assert post.approved_for_publishing is False
    assert post.content_hash != old_hash
    review.refresh_from_db()
    assert review.post_content_hash == old_hash
    assert PostReview.objects.count() == 1
    page = client_for(people.reviewer).get(f"/reviews/posts/{post.pk}/")
    assert page.status_code == 200
    assert "changed since review" in page.content.decode()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"account,external_id,published_at\n", "missing column(s) text"),
        (b"account,external_id,text,colour\n", "unknown column(s) colour"),
    ],
)
def test_a_bad_header_fails_the_run_with_a_clear_message(
    people, accounts, django_capture_on_commit_callbacks, header, expected
):
    run = run_import(people, header + b"brand.ig,ig-9,A post,red\n", django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert expected in run.message and "Line 1 (header)" in run.message
    assert Post.objects.count() == 0


def test_a_viewer_cannot_import(people, accounts):
    from core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_run_create(
            team_id=people.team_a.pk,
            upload=SimpleUploadedFile("posts.csv", GOOD_AND_BAD),
            kind="csv",
            by=people.viewer,
        )
    assert ImportRun.objects.count() == 0


# --- X archive -------------------------------------------------------------------------------------


def _tweet(id_str, text, *, created_at="Wed Oct 10 20:19:24 +0000 2018", urls=(), media=()):
    tweet = {
        "edit_info": {"initial": {"editTweetIds": [id_str], "editableUntil": "2018-10-10T21:19:24.000Z"}},
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {
            "hashtags": [],
            "symbols": [],
            "user_mentions": [],
            "urls": [
                {"url": u, "expanded_url": e, "display_url": e.split("//")[1][:20], "indices": ["0", "23"]}
                for u, e in urls
            ],
        },
        "display_text_range": ["0", str(len(text))],
        "favorite_count": "3",
        "id_str": id_str,
        "truncated": False,
        "retweet_count": "0",
        "id": id_str,
        "favorited": False,
        "full_text": text,
        "lang": "en",
    }
    if created_at is not None:
        tweet["created_at"] = created_at
    if media:
        tweet["extended_entities"] = {
            "media": [
                {
                    "expanded_url": f"https://twitter.com/brand/status/{id_str}/photo/1",
                    "indices": ["40", "63"],
                    "url": "https://t.co/pic",
                    "media_url": url.replace("https", "http"),
                    "id_str": "99" + id_str,
                    "media_url_https": url,
                    "type": "photo",
                    "display_url": "pic.twitter.com/pic",
                    **({"ext_alt_text": alt} if alt is not None else {}),
                }
                for url, alt in media
            ]
        }
    return {"tweet": tweet}


def tweets_js(*tweets) -> bytes:
    return b"window.YTD.tweets.part0 = " + json.dumps(list(tweets), indent=2).encode()


ARCHIVE = tweets_js(
    _tweet(
        "1050118621198921728",
        "Read our guide https://t.co/abc123",
        urls=[("https://t.co/abc123", "https://example.com/guide")],
        media=[("https://pbs.twimg.com/media/Dp1.jpg", "A bar chart of sales")],
    ),
    _tweet("1050118621198921729", "No date on this one", created_at=None),
    _tweet("1050118621198921730", "A photo", media=[("https://pbs.twimg.com/media/Dp2.jpg", None)]),
)


def test_x_archive_imports_tweets_and_reports_a_bad_one_by_position(
    people, accounts, django_capture_on_commit_callbacks
):
    run = run_import(
        people,
        ARCHIVE,
        django_capture_on_commit_callbacks,
        name="tweets.js",
        kind="x_archive",
        account_id=accounts.x.pk,
    )

    assert run.status == "done"
    assert run.created_count == 2
    assert [e["line"] for e in run.errors] == [2]
    assert "created_at" in run.errors[0]["reason"] and "not an X date" in run.errors[0]["reason"]
    first = Post.objects.get(external_id="1050118621198921728")
    assert first.account == accounts.x and first.source == "platform_export" and first.status == "published"
    assert first.text == "Read our guide https://example.com/guide"
    assert first.url == "https://x.com/brand/status/1050118621198921728"
    assert first.media == [
        {"type": "image", "url": "https://pbs.twimg.com/media/Dp1.jpg", "alt_text": "A bar chart of sales"}
    ]
    assert first.published_at.isoformat() == "2018-10-10T20:19:24+00:00"
    no_alt = Post.objects.get(external_id="1050118621198921730")
    assert "alt-text-missing" in {f["rule"] for f in no_alt.prechecks}
    assert not Post.objects.filter(external_id="1050118621198921729").exists()


def test_a_file_that_is_not_an_x_archive_fails_with_a_message(people, accounts, django_capture_on_commit_callbacks):
    run = run_import(
        people,
        GOOD_AND_BAD,
        django_capture_on_commit_callbacks,
        name="tweets.js",
        kind="x_archive",
        account_id=accounts.x.pk,
    )
    assert run.status == "failed"
    assert "Not an X archive" in run.message
    assert Post.objects.count() == 0


def test_x_archive_needs_the_teams_x_account(people, accounts):
    from core.exceptions import ValidationError

    for account in (accounts.instagram, accounts.other_x):
        with pytest.raises(ValidationError) as exc:
            services.import_run_create(
                team_id=people.team_a.pk,
                upload=SimpleUploadedFile("tweets.js", ARCHIVE),
                kind="x_archive",
                account_id=account.pk,
                by=people.qa,
            )
        assert "account" in exc.value.errors
    assert ImportRun.objects.count() == 0


# --- API -------------------------------------------------------------------------------------------


def test_import_through_the_api_returns_202_and_the_run(people, accounts, api_for, django_capture_on_commit_callbacks):
    api = api_for(people.qa)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/posts/import/",
            {"team": people.team_a.pk, "kind": "csv", "file": SimpleUploadedFile("posts.csv", GOOD_AND_BAD)},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["original_name"] == "posts.csv" and body["kind"] == "csv"
    run = api.get(f"/api/v1/post-imports/{body['id']}/").json()
    assert run["status"] == "done"
    assert run["created_count"] == 4
    assert [e["line"] for e in run["errors"]] == [3, 6, 7, 8, 9]


def test_import_for_another_team_through_the_api_is_404(people, accounts, api_for):
    response = api_for(people.qa).post(
        "/api/v1/posts/import/",
        {"team": people.team_b.pk, "kind": "csv", "file": SimpleUploadedFile("posts.csv", GOOD_AND_BAD)},
        format="multipart",
    )
    assert response.status_code == 404
    assert ImportRun.objects.count() == 0
    assert api_for(people.outsider).get("/api/v1/post-imports/").json()["results"] == []


def test_a_spreadsheet_export_with_bom_and_crlf_line_ends_imports(people, accounts, django_capture_on_commit_callbacks):
    content = (
        "\ufeffAccount,External_ID,Text,Sponsored\r\n"
        'brand.ig,ig-1,"Two\r\nlines",no\r\n'
        "brand.ig,ig-2,Bad flag,maybe\r\n"
        "brand.ig,ig-3,Fine,yes\r\n"
    ).encode()
    run = run_import(people, content, django_capture_on_commit_callbacks)
    assert run.status == "done" and run.created_count == 2
    assert [(e["line"], "sponsored" in e["reason"]) for e in run.errors] == [(4, True)]
    assert Post.objects.get(external_id="ig-3").sponsored is True


def test_a_nul_character_fails_its_row_not_the_import(people, accounts, django_capture_on_commit_callbacks):
    # PostgreSQL refuses NUL in text: the whole batch used to crash with a DataError.
    content = HEADER + b"brand.ig,ig-1,A p\x00ost,,no\n" + b"brand.ig,ig-2,A fine post,,no\n"
    run = run_import(people, content, django_capture_on_commit_callbacks)
    assert run.status == "done"
    assert run.created_count == 1
    assert [e["line"] for e in run.errors] == [2] and "NUL" in run.errors[0]["reason"]


def test_progress_counts_records_not_lines(people, accounts, django_capture_on_commit_callbacks, client_for):
    # Each text spans three lines: the total used to count lines, so the page said "5 of 15 rows".
    content = HEADER + b"".join(b'brand.ig,ig-%d,"Line one\nline two\nline three",,no\n' % i for i in range(5))
    run = run_import(people, content, django_capture_on_commit_callbacks)

    assert (run.rows_total, run.rows_done, run.created_count, run.percent) == (5, 5, 5, 100)
    page = client_for(people.qa).get(f"/reviews/import/{run.pk}/")
    assert "5 of 5 rows" in page.content.decode()


def test_an_x_archive_counts_its_tweets_and_lists_bad_ones_by_tweet(
    people, accounts, django_capture_on_commit_callbacks, client_for
):
    run = run_import(
        people,
        ARCHIVE,
        django_capture_on_commit_callbacks,
        name="tweets.js",
        kind="x_archive",
        account_id=accounts.x.pk,
    )
    assert (run.rows_total, run.rows_done) == (3, 3)
    page = client_for(people.qa).get(f"/reviews/import/{run.pk}/").content.decode()
    assert "3 of 3 rows" in page and '<th scope="col">Tweet</th>' in page

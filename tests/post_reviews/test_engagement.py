"""Engagement counters: imported (CSV columns, X archive counts), sent by the API (upsert and
PATCH), refused by field or by line when negative or not whole numbers, and never reviewed
content: updating them keeps the review state, the approval and the history as they were."""

import io
import json

import pytest

from post_reviews import importers, services
from post_reviews.models import Post, Source
from post_reviews.workflow import ENGAGEMENT_FIELDS, REVIEWED_FIELDS
from tests.post_reviews.conftest import make_post
from tests.post_reviews.test_imports import run_import

pytestmark = pytest.mark.django_db

HEADER = b"account,external_id,text,published_at,impressions,reach,likes,comments,shares,saves,video_views\n"
ENGAGED = (
    HEADER
    + b"brand.ig,e-1,Hello,2026-01-05T09:30:00Z,1000,800,40,5,3,2,\n"  # 2 good; no video views
    + b"brand.ig,e-2,Hello,2026-01-05T10:30:00Z,-3,,,,,,\n"  # 3 negative
    + b"brand.ig,e-3,Hello,2026-01-05T11:30:00Z,,,1.5,,,,\n"  # 4 not whole
    + b"brand.ig,e-4,Hello,2026-01-05T12:30:00Z,,,,,,,lots\n"  # 5 not a number
    + b"brand.ig,e-5,Hello,2026-01-05T13:30:00Z,,,,,,,\n"  # 6 good, nothing reported
)


def _counts(post) -> tuple:
    return tuple(getattr(post, f) for f in ENGAGEMENT_FIELDS[:-1])


def test_engagement_is_not_reviewed_content():
    assert set(ENGAGEMENT_FIELDS).isdisjoint(REVIEWED_FIELDS)
    assert set(ENGAGEMENT_FIELDS).isdisjoint(f.attname for f in Post.history.model._meta.fields)


def test_csv_engagement_columns_good_and_bad_lines(people, accounts, django_capture_on_commit_callbacks):
    run = run_import(people, ENGAGED, django_capture_on_commit_callbacks)
    assert (run.status, run.created_count, run.error_count) == ("done", 2, 3)
    reasons = {e["line"]: e["reason"] for e in run.errors}
    assert sorted(reasons) == [3, 4, 5]
    assert reasons[3].startswith("impressions: -3 is not a whole number")
    assert reasons[4].startswith("likes: 1.5 is not a whole number")
    assert reasons[5].startswith("video_views: lots is not a whole number")
    assert set(Post.objects.values_list("external_id", flat=True)) == {"e-1", "e-5"}  # nothing of a bad line
    first = Post.objects.get(external_id="e-1")
    assert _counts(first) == (1000, 800, 40, 5, 3, 2, None) and first.engagement_updated_at is not None
    blank = Post.objects.get(external_id="e-5")
    assert _counts(blank) == (None,) * 7 and blank.engagement_updated_at is None


def test_re_import_updates_engagement_only(people, accounts, django_capture_on_commit_callbacks):
    run_import(people, ENGAGED, django_capture_on_commit_callbacks)
    post = Post.objects.get(external_id="e-1")
    Post.objects.filter(pk=post.pk).update(review_state="passed", approved_for_publishing=True)
    history = post.history.count()
    again = HEADER + b"brand.ig,e-1,Hello,2026-01-05T09:30:00Z,2500,,90,,,,\n"
    run = run_import(people, again, django_capture_on_commit_callbacks)
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 1, 0)
    post.refresh_from_db()
    # Stated counters replace the stored ones, empty cells keep them; the review is untouched.
    assert _counts(post) == (2500, 800, 90, 5, 3, 2, None)
    assert (post.review_state, post.approved_for_publishing) == ("passed", True)
    assert post.history.count() == history
    # The same figures again change nothing; a file without the columns keeps them too.
    assert run_import(people, again, django_capture_on_commit_callbacks).unchanged_count == 1
    plain = b"account,external_id,text,published_at\nbrand.ig,e-1,Hello,2026-01-05T09:30:00Z\n"
    assert run_import(people, plain, django_capture_on_commit_callbacks).unchanged_count == 1
    post.refresh_from_db()
    assert post.impressions == 2500


def test_the_orm_path_updates_engagement_without_history_or_withdrawal(people, accounts):
    post = make_post(accounts.x, "p1", by=people.reviewer, likes=1)
    Post.objects.filter(pk=post.pk).update(review_state="passed", approved_for_publishing=True)
    history = post.history.count()
    data = services.PostInput(external_id="p1", text="Autumn range out now.", likes=7, impressions=70)
    result = services.posts_upsert_batch(
        account_by_id={accounts.x.pk: accounts.x}, items=[(accounts.x.pk, data)], source=Source.CSV, by=people.qa
    )
    assert [p.pk for p in result["updated"]] == [post.pk]
    post.refresh_from_db()
    assert (post.likes, post.impressions, post.review_state, post.approved_for_publishing) == (7, 70, "passed", True)
    assert post.history.count() == history
    # A content change with engagement writes both, the history row for the content only.
    data = services.PostInput(external_id="p1", text="New text.", likes=8)
    services.posts_upsert_batch(
        account_by_id={accounts.x.pk: accounts.x}, items=[(accounts.x.pk, data)], source=Source.CSV, by=people.qa
    )
    post.refresh_from_db()
    assert (post.likes, post.review_state, post.approved_for_publishing) == (8, "changed", False)
    assert post.history.count() == history + 1


def test_x_archive_counts_map_to_our_counters():
    tweet = {
        "id_str": "1",
        "full_text": "Hi",
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "favorite_count": "12",
        "retweet_count": "3",
        "reply_count": 2,
        "impression_count": "900",
    }
    raw = b"window.YTD.tweets.part0 = " + json.dumps([{"tweet": tweet}, {"tweet": {**tweet, "id_str": "2"}}]).encode()
    entries = importers.x_archive_entries(raw)
    entries[1]["tweet"]["favorite_count"] = "-1"
    rows = list(importers.x_archive_rows(entries, account_id=5, handle="brand"))
    data = rows[0][1]
    assert (data.likes, data.shares, data.comments, data.impressions, data.saves) == (12, 3, 2, 900, None)
    assert rows[1][1] is None and "favorite_count '-1' is not a whole number" in rows[1][2]


def test_csv_parser_reads_counts_and_refuses_huge_ones():
    raw = b"account,external_id,text,likes\nbrand,a,Hi,7\nbrand,b,Hi,99999999999999999999\n"
    rows = list(importers.csv_rows(io.BytesIO(raw), {"brand": 1}))
    assert rows[0][1].likes == 7
    assert rows[1][1] is None and rows[1][2].startswith("likes:")


def test_api_upsert_and_patch_engagement(api_for, people, accounts):
    api = api_for(people.qa)
    body = {"account": accounts.x.pk, "external_id": "a1", "text": "Hi", "impressions": 50, "likes": 2}
    created = api.post("/api/v1/posts/", body, format="json")
    assert created.status_code == 201
    post = Post.objects.get(pk=created.json()["id"])
    assert (post.impressions, post.likes) == (50, 2)
    bad = api.post("/api/v1/posts/", {**body, "likes": -1, "shares": 1.5}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"likes", "shares"}
    bulk = api.post("/api/v1/posts/", [body, {**body, "external_id": "a2", "reach": -4}], format="json")
    assert bulk.status_code == 400 and not Post.objects.filter(external_id="a2").exists()

    Post.objects.filter(pk=post.pk).update(review_state="passed", approved_for_publishing=True)
    patched = api.patch(f"/api/v1/posts/{post.pk}/", {"likes": 9, "video_views": 300}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["likes"], patched.json()["video_views"], patched.json()["impressions"]) == (9, 300, 50)
    assert patched.json()["approved_for_publishing"] is True
    assert api.patch(f"/api/v1/posts/{post.pk}/", {"impressions": None}, format="json").json()["impressions"] is None
    refused = api.patch(f"/api/v1/posts/{post.pk}/", {"text": "New", "likes": -2}, format="json")
    assert refused.status_code == 400 and set(refused.json()) >= {"likes"}
    assert api.patch(f"/api/v1/posts/{post.pk}/", {"text": "New"}, format="json").status_code == 400
    post.refresh_from_db()
    assert (post.text, post.likes) == ("Hi", 9)


def test_patch_is_scoped_and_needs_the_right(api_for, people, accounts):
    ours = make_post(accounts.x, "a1", by=people.reviewer)
    theirs = make_post(accounts.other_x, "b1", by=people.outsider)
    assert api_for(people.qa).patch(f"/api/v1/posts/{theirs.pk}/", {"likes": 1}, format="json").status_code == 404
    assert api_for(people.viewer).patch(f"/api/v1/posts/{ours.pk}/", {"likes": 1}, format="json").status_code == 403
    assert api_for(None).patch(f"/api/v1/posts/{ours.pk}/", {"likes": 1}, format="json").status_code in (401, 403)
    ours.refresh_from_db()
    assert ours.likes is None


def test_the_post_page_shows_the_engagement_once_reported(client_for, people, accounts):
    quiet = make_post(accounts.x, "q1", by=people.reviewer)
    loud = make_post(accounts.x, "l1", by=people.reviewer, impressions=1234, likes=56)
    client = client_for(people.qa)
    assert 'data-testid="post-engagement"' not in client.get(f"/reviews/posts/{quiet.pk}/").content.decode()
    page = client.get(f"/reviews/posts/{loud.pk}/").content.decode()
    assert 'data-testid="post-engagement"' in page and "<td>1234</td>" in page and "<td>56</td>" in page

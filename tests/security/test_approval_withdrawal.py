"""Issue 9: an approval doesn't survive a change to what was reviewed. A change to any of
``REVIEWED_FIELDS`` withdraws the approval, marks earlier reviews "changed since review" and
re-runs the pre-checks, on every write path; a change to anything else keeps the approval."""

from datetime import timedelta

import pytest
from django.utils import timezone

from post_reviews import selectors, services
from post_reviews.models import Post, Source
from post_reviews.workflow import REVIEWED_FIELDS
from tests.post_reviews import conftest as post_fixtures
from tests.post_reviews.conftest import results_for
from tests.post_reviews.test_imports import run_import

pytestmark = pytest.mark.django_db

# The post review fixtures, shared with tests/post_reviews.
accounts = post_fixtures.accounts
checklist = post_fixtures.checklist

WHEN = timezone.now().replace(microsecond=0) + timedelta(days=3)
BASE = {"text": "Autumn range out now.", "status": "scheduled", "scheduled_at": WHEN}
# One change per reviewed field; "sponsored" without a disclosure also makes a pre-check fail.
CHANGES = {
    "sponsored": {"sponsored": True},
    "url": {"url": "https://example.com/other"},
    "campaign": {"campaign": "winter"},
    "scheduled_at": {"scheduled_at": WHEN + timedelta(hours=5)},
    "media": {"media": [{"type": "image", "url": "https://cdn.example/b.jpg", "alt_text": "A coat"}]},
    "text": {"text": "Autumn range out now. Reworded."},
}


def test_every_reviewed_field_has_a_case_here():
    assert set(CHANGES) == set(REVIEWED_FIELDS)


def _approved(people, account, checklist, external_id="p-1", **fields):
    post, _ = services.post_upsert(
        account_id=account.pk,
        data=services.PostInput(external_id=external_id, **{**BASE, **fields}),
        source=Source.API,
        by=people.lead,
    )
    services.review_submit(
        data=services.ReviewInput(
            post_id=post.pk, checklist_id=checklist.pk, stage="pre_publication", results=results_for(checklist)
        ),
        by=people.reviewer,
    )
    post.refresh_from_db()
    assert post.approved_for_publishing is True and post.review_state == "passed"
    return post


def _assert_withdrawn(post, *, prechecked_before):
    post.refresh_from_db()
    assert post.approved_for_publishing is False
    assert post.review_state == "changed"
    assert post.prechecked_at > prechecked_before  # the pre-checks ran again
    assert [r.changed_since_review for r in selectors.reviews_of_post(post)] == [True]


def _assert_kept(post):
    post.refresh_from_db()
    assert post.approved_for_publishing is True and post.review_state == "passed"
    assert [r.changed_since_review for r in selectors.reviews_of_post(post)] == [False]


def _input(**fields):
    return services.PostInput(external_id="p-1", **{**BASE, **fields})


# --- API, one post ----------------------------------------------------------------------------


def _api_body(account, **fields):
    body = {"account": account.pk, "external_id": "p-1", **{**BASE, **fields}}
    for key in ("scheduled_at",):
        body[key] = body[key].isoformat() if body[key] else None
    return body


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_api_single_post_change_withdraws_the_approval(people, accounts, checklist, api_for, field):
    post = _approved(people, accounts.instagram, checklist)
    before = post.prechecked_at
    response = api_for(people.lead).post(
        "/api/v1/posts/", _api_body(accounts.instagram, **CHANGES[field]), format="json"
    )
    assert response.status_code == 201 and response.json()["outcome"] == "updated"
    _assert_withdrawn(post, prechecked_before=before)


def test_switching_sponsored_on_re_runs_the_disclosure_pre_check(people, accounts, checklist, api_for):
    post = _approved(people, accounts.instagram, checklist)
    assert post.precheck_failures == 0
    api_for(people.lead).post("/api/v1/posts/", _api_body(accounts.instagram, sponsored=True), format="json")
    post.refresh_from_db()
    assert "disclosure-missing" in {f["rule"] for f in post.prechecks} and post.precheck_failures >= 1
    detail = api_for(people.lead).get(f"/api/v1/post-reviews/?post={post.pk}").json()["results"][0]
    assert detail["changed_since_review"] is True


def test_api_change_of_an_unreviewed_field_keeps_the_approval(people, accounts, checklist, api_for):
    post = _approved(people, accounts.instagram, checklist)
    response = api_for(people.lead).post(
        "/api/v1/posts/", _api_body(accounts.instagram, status="published"), format="json"
    )
    assert response.json()["outcome"] == "updated"
    _assert_kept(post)


# --- API, many posts --------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["sponsored", "url", "campaign", "scheduled_at"])
def test_api_bulk_change_withdraws_the_approval(people, accounts, checklist, api_for, field):
    post = _approved(people, accounts.instagram, checklist)
    other = _approved(people, accounts.instagram, checklist, external_id="p-2")
    before = post.prechecked_at
    body = [_api_body(accounts.instagram, **CHANGES[field]), {**_api_body(accounts.instagram), "external_id": "p-2"}]
    response = api_for(people.lead).post("/api/v1/posts/", body, format="json")
    assert [r["outcome"] for r in response.json()] == ["updated", "unchanged"]
    _assert_withdrawn(post, prechecked_before=before)
    _assert_kept(other)


# --- the form ---------------------------------------------------------------------------------


def _form(account, **fields):
    data = {"account": account.pk, "external_id": "p-1", **{**BASE, **fields}}
    data["scheduled_at"] = timezone.localtime(data["scheduled_at"]).strftime("%Y-%m-%dT%H:%M:%S")
    data["sponsored"] = "on" if data.get("sponsored") else ""
    return {k: v for k, v in data.items() if v not in ("", None)}


@pytest.mark.parametrize("field", ["sponsored", "url", "campaign", "scheduled_at"])
def test_form_edit_withdraws_the_approval(people, accounts, checklist, client_for, field):
    post = _approved(people, accounts.instagram, checklist)
    before = post.prechecked_at
    response = client_for(people.lead).post("/reviews/posts/new/", _form(accounts.instagram, **CHANGES[field]))
    assert response.status_code == 302, response.content.decode()
    _assert_withdrawn(post, prechecked_before=before)


def test_form_resubmitted_unchanged_keeps_the_approval(people, accounts, checklist, client_for):
    post = _approved(people, accounts.instagram, checklist)
    response = client_for(people.lead).post("/reviews/posts/new/", _form(accounts.instagram))
    assert response.status_code == 302
    _assert_kept(post)


# --- imports: the ORM batch (SQLite's path) and COPY (PostgreSQL's) -----------------------------


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_orm_batch_upsert_withdraws_the_approval(people, accounts, checklist, field):
    post = _approved(people, accounts.instagram, checklist)
    before = post.prechecked_at
    result = services.posts_upsert_batch(
        account_by_id={accounts.instagram.pk: accounts.instagram},
        items=[(accounts.instagram.pk, _input(**CHANGES[field]))],
        source=Source.CSV,
        by=people.lead,
    )
    assert [p.pk for p in result["updated"]] == [post.pk]
    _assert_withdrawn(post, prechecked_before=before)


HEADER = b"account,external_id,text,url,campaign,sponsored,status,scheduled_at\n"


def _csv_line(**fields) -> bytes:
    row = {**BASE, "url": "", "campaign": "", "sponsored": False, **fields}
    values = [
        "brand.ig",
        "p-1",
        row["text"],
        row["url"],
        row["campaign"],
        "yes" if row["sponsored"] else "no",
        row["status"],
        row["scheduled_at"].isoformat(),
    ]
    return (",".join(values) + "\n").encode()


@pytest.mark.parametrize("field", ["sponsored", "url", "campaign", "scheduled_at", "text"])
def test_csv_import_withdraws_the_approval(people, accounts, checklist, django_capture_on_commit_callbacks, field):
    post = _approved(people, accounts.instagram, checklist)
    before = post.prechecked_at
    run = run_import(people, HEADER + _csv_line(**CHANGES[field]), django_capture_on_commit_callbacks, by=people.lead)
    assert run.status == "done" and run.updated_count == 1, run.errors
    _assert_withdrawn(post, prechecked_before=before)


def test_csv_import_of_the_same_content_keeps_the_approval(
    people, accounts, checklist, django_capture_on_commit_callbacks
):
    post = _approved(people, accounts.instagram, checklist)
    run = run_import(people, HEADER + _csv_line(), django_capture_on_commit_callbacks, by=people.lead)
    assert run.status == "done" and run.unchanged_count == 1, run.errors
    _assert_kept(post)


def test_csv_import_of_an_unreviewed_change_keeps_the_approval(
    people, accounts, checklist, django_capture_on_commit_callbacks
):
    post = _approved(people, accounts.instagram, checklist)
    run = run_import(people, HEADER + _csv_line(status="published"), django_capture_on_commit_callbacks, by=people.lead)
    assert run.status == "done" and run.updated_count == 1, run.errors
    _assert_kept(post)
    assert Post.objects.get(pk=post.pk).status == "published"

"""Issue 10: no change to a history-tracked field of a post bypasses its history. The set-based
writes (pre-check UPDATEs, COPY upserts, bulk updates) either touch only fields excluded from the
history on purpose (the derived pre-check results) or write the history rows themselves."""

import pytest

from post_reviews import services
from post_reviews.models import Post, Source
from tests.post_reviews.conftest import make_posts, results_for
from tests.post_reviews.test_imports import run_import

pytestmark = pytest.mark.django_db

POST_FIELDS = {f.attname for f in Post._meta.concrete_fields}
TRACKED = sorted(f.attname for f in Post.history.model._meta.fields if f.attname in POST_FIELDS)


def _tracked(ids):
    return {row["id"]: row for row in Post.objects.filter(pk__in=ids).values("id", *TRACKED)}


def _assert_history_follows(before: dict, ids) -> int:
    """Every post whose tracked values changed has a newest history row equal to them."""
    after = _tracked(ids)
    changed = 0
    for pk, row in after.items():
        if before.get(pk) != row:
            changed += 1
            newest = Post.history.filter(id=pk).order_by("-history_id").values("id", *TRACKED).first()
            assert newest == row, f"post {pk}: a tracked change has no history row"
    return changed


def test_the_pre_check_results_are_left_out_of_the_history_on_purpose():
    assert {"prechecks", "precheck_failures", "prechecked_at"}.isdisjoint(TRACKED)
    assert {"text", "sponsored", "review_state", "approved_for_publishing", "imported_by_id"} <= set(TRACKED)


def test_re_running_pre_checks_changes_no_tracked_field(people, accounts):
    posts = make_posts(accounts.x, 3, by=people.lead)
    ids = [p.pk for p in posts]
    Post.objects.filter(pk=ids[0]).update(precheck_failures=7)  # stale, as after a rules change
    before = _tracked(ids)
    services.post_precheck_many(post_ids=ids)
    services.post_precheck(post_id=ids[1])
    assert Post.objects.get(pk=ids[0]).precheck_failures == 0
    assert _assert_history_follows(before, ids) == 0


def test_imports_and_reviews_write_a_history_row_for_every_tracked_change(
    people, accounts, checklist, django_capture_on_commit_callbacks
):
    header = b"account,external_id,text,sponsored,status\n"
    run_import(
        people, header + b"brand.ig,h-1,One,no,draft\nbrand.ig,h-2,Two,no,draft\n", django_capture_on_commit_callbacks
    )
    ids = list(Post.objects.values_list("pk", flat=True))
    for pk in ids:
        services.review_submit(
            data=services.ReviewInput(
                post_id=pk, checklist_id=checklist.pk, stage="pre_publication", results=results_for(checklist)
            ),
            by=people.reviewer,
        )
    before = _tracked(ids)
    # COPY path: one changed in a reviewed field, one in an unreviewed one.
    run_import(
        people,
        header + b"brand.ig,h-1,One,yes,draft\nbrand.ig,h-2,Two,no,published\n",
        django_capture_on_commit_callbacks,
        by=people.lead,
    )
    assert _assert_history_follows(before, ids) == 2
    before = _tracked(ids)
    # ORM path.
    services.posts_upsert_batch(
        account_by_id={accounts.instagram.pk: accounts.instagram},
        items=[(accounts.instagram.pk, services.PostInput(external_id="h-1", text="One, again", status="draft"))],
        source=Source.CSV,
        by=people.qa,
    )
    assert _assert_history_follows(before, ids) == 1

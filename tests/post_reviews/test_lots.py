"""Post-publication sampling lots: the ISO 2859-1 plan, a reproducible sample and the lot decision."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from capa.models import Nonconformity
from core.exceptions import NotFound, PermissionDenied, ValidationError
from post_reviews import services
from post_reviews.models import Post, SamplingLot
from post_reviews.sampling import iso2859_plan
from tests.post_reviews.conftest import make_posts, noon, results_for

pytestmark = pytest.mark.django_db

LOT_SIZE = 60  # code letter E; at AQL 2.5 the arrow leads to F: n = 20, Ac 1, Re 2


def period():
    today = timezone.localdate()
    return today - timedelta(days=7), today


@pytest.fixture
def published(people, accounts):
    """60 posts published in the last week, plus posts the lot must leave out."""
    posts = make_posts(accounts.instagram, 40, by=people.qa, prefix="ig", published_at=noon(3))
    posts += make_posts(accounts.x, 20, by=people.qa, prefix="x", published_at=noon(1))
    make_posts(accounts.instagram, 5, by=people.qa, prefix="old", published_at=noon(30))  # before the period
    make_posts(accounts.instagram, 5, by=people.qa, prefix="draft", status="draft", published_at=noon(2))
    make_posts(accounts.other_x, 5, by=people.outsider, prefix="b", published_at=noon(2))  # team B
    return posts


def create_lot(people, *, by=None, team=None, **kwargs):
    start, end = period()
    kwargs.setdefault("period_start", start)
    kwargs.setdefault("period_end", end)
    return services.sampling_lot_create(
        team_id=(team or people.team_a).pk, method="iso2859", aql="2.5", by=by or people.qa, **kwargs
    )


def review_sample(people, lot, checklist, *, failing: int = 0):
    for n, post_id in enumerate(lot.sample_post_ids):
        results = results_for(checklist, item_3="fail") if n < failing else results_for(checklist)
        services.review_submit(
            data=services.ReviewInput(
                post_id=post_id,
                checklist_id=checklist.pk,
                stage="post_publication",
                results=results,
                sampling_lot_id=lot.pk,
            ),
            by=people.reviewer,
        )
        lot.refresh_from_db()
        if n < len(lot.sample_post_ids) - 1:
            assert lot.status == "open"
    return lot


def test_iso2859_lot_follows_the_standards_plan(people, published):
    lot = create_lot(people)
    plan = iso2859_plan(LOT_SIZE, "2.5")
    assert lot.lot_size == LOT_SIZE
    assert (lot.code_letter, lot.sample_size, lot.accept, lot.reject) == (
        plan.code_letter,
        plan.sample_size,
        plan.accept,
        plan.reject,
    )
    assert (lot.code_letter, lot.sample_size, lot.accept, lot.reject) == ("F", 20, 1, 2)  # E at 2.5: ↓ to F
    assert len(set(lot.sample_post_ids)) == lot.sample_size
    in_lot = {p.pk for p in published}
    assert set(lot.sample_post_ids) <= in_lot
    assert lot.status == "open" and lot.created_by == people.qa


def test_an_account_lot_samples_only_that_account(people, accounts, published):
    lot = create_lot(people, account_id=accounts.x.pk)
    assert lot.lot_size == 20
    assert set(Post.objects.filter(pk__in=lot.sample_post_ids).values_list("account", flat=True)) == {accounts.x.pk}


def test_the_same_seed_draws_the_same_sample(people, published):
    first = create_lot(people, seed=20261123)
    second = create_lot(people, seed=20261123)
    assert first.seed == second.seed == 20261123
    assert first.sample_post_ids == second.sample_post_ids
    assert create_lot(people).seed is not None


def test_a_sample_without_failures_accepts_the_lot(people, published, checklist):
    lot = review_sample(people, create_lot(people), checklist)
    assert lot.status == "accepted" and lot.defectives == 0 and lot.decided_at is not None
    assert Nonconformity.objects.count() == 0


def _lot_ncs():
    return Nonconformity.objects.filter(source_type=ContentType.objects.get_for_model(SamplingLot))


def test_failures_up_to_ac_still_accept_the_lot(people, published, checklist):
    lot = review_sample(people, create_lot(people), checklist, failing=1)
    assert lot.status == "accepted" and lot.defectives == 1
    assert not _lot_ncs().exists()
    assert Nonconformity.objects.count() == 1  # the failed major item's defect raised its own


def test_failures_at_re_reject_the_lot_and_raise_one_nonconformity(people, published, checklist):
    lot = review_sample(people, create_lot(people), checklist, failing=2)
    assert lot.status == "rejected" and lot.defectives == 2
    nc = _lot_ncs().get()
    assert (nc.source_type, nc.source_id) == (ContentType.objects.get_for_model(SamplingLot), lot.pk)
    assert nc.team == people.team_a and nc.severity == "major"
    # Deciding again changes nothing and raises nothing more.
    assert services.sampling_lot_evaluate(lot_id=lot.pk, by=people.qa).status == "rejected"
    assert _lot_ncs().count() == 1


def test_an_empty_period_is_refused(people, published):
    start = timezone.localdate() - timedelta(days=100)
    with pytest.raises(ValidationError) as exc:
        create_lot(people, period_start=start, period_end=start + timedelta(days=10))
    assert "empty" in " ".join(exc.value.errors["period_start"])
    assert SamplingLot.objects.count() == 0


def test_a_period_ending_before_it_starts_is_refused(people, published):
    start, end = period()
    with pytest.raises(ValidationError) as exc:
        create_lot(people, period_start=end, period_end=start)
    assert "period_end" in exc.value.errors


def test_another_teams_lot_is_not_found(people, accounts, published):
    with pytest.raises(NotFound):
        create_lot(people, team=people.team_b)
    with pytest.raises(ValidationError):
        create_lot(people, account_id=accounts.other_x.pk)
    assert SamplingLot.objects.count() == 0


def test_a_viewer_cannot_create_a_lot(people, published):
    with pytest.raises(PermissionDenied):
        create_lot(people, by=people.viewer)


def test_a_review_cannot_count_towards_another_teams_lot(people, accounts, published, checklist, other_checklist):
    theirs = make_posts(accounts.other_x, 1, by=people.outsider, prefix="b", start=100, published_at=noon(2))
    their_lot = create_lot(people, team=people.team_b, by=people.outsider)
    assert their_lot.sample_post_ids  # team B's posts
    post = published[0]
    with pytest.raises(ValidationError) as exc:
        services.review_submit(
            data=services.ReviewInput(
                post_id=post.pk,
                checklist_id=checklist.pk,
                stage="post_publication",
                results=results_for(checklist),
                sampling_lot_id=their_lot.pk,
            ),
            by=people.reviewer,
        )
    assert "sampling_lot" in exc.value.errors
    assert theirs and post.reviews.count() == 0


def test_lot_through_the_api(people, published, api_for, client_for):
    start, end = period()
    body = {"team": people.team_a.pk, "period_start": str(start), "period_end": str(end), "aql": "2.5", "seed": 7}
    response = api_for(people.reviewer).post("/api/v1/sampling-lots/", body, format="json")
    assert response.status_code == 201, response.json()
    lot = response.json()
    assert (lot["lot_size"], lot["sample_size"], lot["accept"], lot["reject"]) == (LOT_SIZE, 20, 1, 2)
    assert lot["method"] == "iso2859" and lot["status"] == "open" and lot["seed"] == 7
    assert api_for(people.reviewer).get(f"/api/v1/sampling-lots/{lot['id']}/").status_code == 200
    assert api_for(people.outsider).get(f"/api/v1/sampling-lots/{lot['id']}/").status_code == 404
    assert client_for(people.outsider).get(f"/reviews/sampling/{lot['id']}/").status_code == 404
    other = {**body, "team": people.team_b.pk}
    assert api_for(people.reviewer).post("/api/v1/sampling-lots/", other, format="json").status_code == 404


def test_a_review_of_a_post_outside_the_sample_cannot_count_towards_the_lot(people, published, checklist):
    lot = create_lot(people)
    outside = next(p for p in published if p.pk not in lot.sample_post_ids)
    with pytest.raises(ValidationError) as exc:
        services.review_submit(
            data=services.ReviewInput(
                post_id=outside.pk,
                checklist_id=checklist.pk,
                stage="post_publication",
                results=results_for(checklist),
                sampling_lot_id=lot.pk,
            ),
            by=people.reviewer,
        )
    assert "sampling_lot" in exc.value.errors
    assert outside.reviews.count() == 0


def _review(people, lot, checklist, post_id):
    services.review_submit(
        data=services.ReviewInput(
            post_id=post_id,
            checklist_id=checklist.pk,
            stage="post_publication",
            results=results_for(checklist),
            sampling_lot_id=lot.pk,
        ),
        by=people.reviewer,
    )


def test_lot_page_query_count_does_not_grow_with_the_reviewed_sample(people, published, checklist, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lot = create_lot(people)
    client = client_for(people.qa)
    _review(people, lot, checklist, lot.sample_post_ids[0])
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/reviews/sampling/{lot.pk}/").status_code == 200
    for post_id in lot.sample_post_ids[1:10]:
        _review(people, lot, checklist, post_id)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(f"/reviews/sampling/{lot.pk}/").status_code == 200
    assert len(ten) == len(one)


def test_a_lot_is_decided_by_the_reviewer_who_completes_it_even_after_its_creator_left(people, published, checklist):
    from accounts.models import Membership
    from accounts.services import membership_revoke

    lot = create_lot(people)
    for membership in Membership.objects.filter(user=people.qa, team=people.team_a):
        membership_revoke(membership_id=membership.pk, by=people.admin)

    lot = review_sample(people, lot, checklist, failing=2)

    assert lot.status == "rejected"
    nc = _lot_ncs().get()
    assert nc.detected_by == people.reviewer
    assert lot.history.first().history_user == people.reviewer


def test_the_lot_page_offers_a_review_only_for_sampled_posts_not_yet_reviewed(people, published, checklist, client_for):
    lot = create_lot(people)
    first = lot.sample_post_ids[0]
    services.review_submit(
        data=services.ReviewInput(
            post_id=first,
            checklist_id=checklist.pk,
            stage="post_publication",
            results=results_for(checklist),
            sampling_lot_id=lot.pk,
        ),
        by=people.reviewer,
    )
    from django.urls import reverse

    page = client_for(people.reviewer).get(reverse("post_reviews:lot", args=[lot.pk])).content.decode()
    links = {
        post_id: f"{reverse('post_reviews:review', args=[post_id])}?lot={lot.pk}" for post_id in lot.sample_post_ids
    }
    assert links[first] not in page
    assert all(links[post_id] in page for post_id in lot.sample_post_ids[1:])

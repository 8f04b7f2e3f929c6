"""Issue 10: one category vocabulary for post reviews and CAPA. A defect's category is its
nonconformity's; an unknown category is a validation error, never "other"; the data migration
corrects rows written with the old post review names."""

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from capa.models import Category, Nonconformity
from capa.services import nonconformity_raise
from core.exceptions import ValidationError
from post_reviews import services
from post_reviews.models import ChecklistItem, Defect, DefectCategory
from tests.post_reviews.conftest import CHECKLIST_ITEMS, make_post, results_for

pytestmark = pytest.mark.django_db


def _review(post, checklist, by, defects):
    return services.review_submit(
        data=services.ReviewInput(
            post_id=post.pk,
            checklist_id=checklist.pk,
            stage="pre_publication",
            results=results_for(checklist),
            defects=defects,
        ),
        by=by,
    )


def test_post_reviews_and_capa_share_one_vocabulary():
    assert DefectCategory is Category


@pytest.mark.parametrize("category", ["legal_claims", "spelling_grammar", "disclosure"])
def test_a_defect_raises_a_nonconformity_of_its_own_category(people, accounts, checklist, category):
    post = make_post(accounts.x, "x-1", by=people.author)
    review = _review(post, checklist, people.reviewer, [{"category": category, "severity": "major", "note": "x"}])
    nc = Nonconformity.objects.get(source_id=review.defects.get().pk)
    assert nc.category == category


@pytest.mark.parametrize("category", ["legal", "spelling", "nonsense"])
def test_an_unknown_category_is_refused_by_every_service(people, accounts, checklist, category):
    post = make_post(accounts.x, "x-1", by=people.author)
    with pytest.raises(ValidationError) as exc:
        _review(post, checklist, people.reviewer, [{"category": category, "severity": "major"}])
    assert "defects" in exc.value.errors
    items = [{**CHECKLIST_ITEMS[0], "category": category}]
    with pytest.raises(ValidationError):
        services.checklist_create(version_id=checklist.document_version_id, name="Old", items=items, by=people.qa)
    with pytest.raises(ValidationError) as exc:
        nonconformity_raise(
            source=None,
            source_kind="complaint",
            team=people.team_a,
            severity="major",
            category=category,
            description="A client complained.",
            by=people.qa,
        )
    assert "category" in exc.value.errors
    assert Nonconformity.objects.count() == 0


def test_the_data_migration_corrects_old_names_and_the_ncs_filed_under_other(people, accounts, checklist):
    post = make_post(accounts.x, "x-1", by=people.author)
    review = _review(
        post,
        checklist,
        people.reviewer,
        [{"category": "legal_claims", "severity": "major"}, {"category": "spelling_grammar", "severity": "minor"}],
    )
    legal, spelling = review.defects.order_by("id")
    nc = Nonconformity.objects.get(source_id=legal.pk)
    # The rows as the old code left them (written behind the services' back, as before the fix).
    Defect.objects.filter(pk=legal.pk).update(category="legal")
    Defect.objects.filter(pk=spelling.pk).update(category="spelling")
    item = checklist.items.get(category="spelling_grammar")
    ChecklistItem.objects.filter(pk=item.pk).update(category="spelling")
    Nonconformity.objects.filter(pk=nc.pk).update(category="other")
    complaint = nonconformity_raise(
        source=None, source_kind="complaint", team=people.team_a, severity="minor", description="x", by=people.qa
    )
    item_history = item.history.count()

    migration = importlib.import_module("post_reviews.migrations.0010_one_category_vocabulary")
    migration.forward(apps, None)

    assert Defect.objects.get(pk=legal.pk).category == "legal_claims"
    assert Defect.objects.get(pk=spelling.pk).category == "spelling_grammar"
    item.refresh_from_db()
    assert item.category == "spelling_grammar" and item.history.count() == item_history + 1
    nc.refresh_from_db()
    assert nc.category == "legal_claims"
    assert nc.history.first().history_change_reason == "category corrected: one vocabulary"
    assert Nonconformity.objects.get(pk=complaint.pk).category == "other"  # not from a defect: untouched
    assert ContentType.objects.get_for_id(nc.source_type_id).model_class() is Defect

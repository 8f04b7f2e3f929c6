import pytest

from core.models import Signature
from docs_control.models import DocumentVersion
from post_reviews.management.commands.seed_scale import _scale_sop

pytestmark = pytest.mark.django_db


def test_seed_scale_puts_its_sop_in_force_through_the_document_services(people):
    # The command itself ends with VACUUM, which can't run in a test's transaction.
    version = _scale_sop(people.team_a, people.qa)
    assert version.status == "effective" and version.author == people.qa
    assert Signature.objects.for_record(version).get().meaning == "approved"
    reasons = list(version.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons[0] == "first draft" and reasons[-1] == "effective"
    assert _scale_sop(people.team_a, people.qa) == version  # a re-run adds nothing
    assert DocumentVersion.objects.filter(document__number="SOP-SCALE-1").count() == 1

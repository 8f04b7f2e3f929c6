"""The metrics demo: a closed management review of last quarter and a draft of this one."""

import pytest
from django.core.management import call_command

from core.models import Signature
from metrics.models import ManagementReview

pytestmark = pytest.mark.django_db


def test_demo_has_a_closed_and_a_draft_management_review():
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    closed = ManagementReview.objects.get(status="closed")
    draft = ManagementReview.objects.get(status="draft")
    assert closed.period_end < draft.period_start
    assert closed.snapshot["process"]["reviews"]["value"] > 0
    assert Signature.objects.for_record(closed).get().meaning == "approved"
    assert closed.actions.count() == 1

"""The audits demo: re-runnable, and erin's planned content audit copies the closed one's checklist."""

import pytest
from django.core.management import call_command

from accounts.models import User
from audits import services
from audits.models import Audit, Evidence, Finding
from audits.workflow import Status

pytestmark = pytest.mark.django_db


def test_the_demo_is_re_runnable_and_ready_for_erin(settings):
    call_command("seed_demo")
    counts = (Audit.objects.count(), Finding.objects.count(), Evidence.objects.count())
    call_command("seed_demo")
    assert (Audit.objects.count(), Finding.objects.count(), Evidence.objects.count()) == counts
    closed = Audit.objects.get(title="Publishing and approval process")
    assert closed.status == Status.CLOSED and closed.closed_signature is not None
    finding = closed.findings.get()
    assert finding.classification == "minor_nc"
    assert finding.nonconformity.corrective_action is not None
    assert finding.evidence.get().attachment.original_name == "approval-log-march.csv"
    planned = Audit.objects.get(title="Content audit · second half")
    erin = User.objects.get(username="erin")
    assert planned.status == Status.PLANNED and planned.lead_auditor == erin
    copied = services.audit_questions_copy_previous(audit_id=planned.pk, by=erin)
    assert len(copied) == 3

"""Builders for CAPA tests: a nonconformity, and a CAPA driven to any stage through the services."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from capa import services
from capa.models import Category, CheckResult, Severity, SourceKind
from capa.workflow import Status
from tests.factories import PASSWORD

STAGES = [
    Status.OPEN,
    Status.INVESTIGATING,
    Status.ACTION_PLAN,
    Status.IMPLEMENTING,
    Status.VERIFYING,
    Status.CLOSED,
]


def evidence_file(name: str = "evidence.txt", content: bytes = b"screenshot of the fixed post\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def raise_nc(people, *, team=None, by=None, category=Category.DISCLOSURE, description="Missing #ad on a post"):
    return services.nonconformity_raise(
        source=None,
        source_kind=SourceKind.COMPLAINT,
        team=team or people.team_a,
        severity=Severity.MAJOR,
        category=category,
        description=description,
        by=by or people.qa,
    )


def capa_at(people, stage: str, *, effective: bool = True, nc=None):
    """A CAPA of team A driven to ``stage`` by the services, as a QA manager would."""
    qa = people.qa
    nc = nc or raise_nc(people)
    capa = services.nonconformity_open_capa(nonconformity_id=nc.pk, owner=qa, by=qa)
    if stage == Status.OPEN:
        return capa
    services.capa_start_investigation(capa_id=capa.pk, by=qa)
    if stage == Status.INVESTIGATING:
        return _fresh(capa)
    services.capa_set_root_cause(
        capa_id=capa.pk,
        root_cause="No disclosure step in the publishing checklist",
        root_cause_category="process",
        five_whys=["Post had no #ad", "Author forgot", "Checklist has no disclosure item"],
        by=qa,
    )
    services.capa_plan(capa_id=capa.pk, by=qa)
    if stage == Status.ACTION_PLAN:
        return _fresh(capa)
    item = services.action_item_add(
        capa_id=capa.pk,
        description="Add a disclosure item to the checklist",
        action_type="corrective",
        owner=people.author,
        due_date=timezone.localdate() + timedelta(days=7),
        by=qa,
    )
    services.capa_implement(capa_id=capa.pk, by=qa)
    if stage == Status.IMPLEMENTING:
        return _fresh(capa)
    services.action_item_complete(item_id=item.pk, by=people.author, note="done", evidence=[evidence_file()])
    services.capa_start_verification(capa_id=capa.pk, criteria="No disclosure defects for 30 days", by=qa)
    if stage == Status.VERIFYING:
        if effective:
            services.capa_verify(capa_id=capa.pk, result=CheckResult.EFFECTIVE, evidence="0 defects in 40 posts", by=qa)
        return _fresh(capa)
    services.capa_verify(capa_id=capa.pk, result=CheckResult.EFFECTIVE, evidence="0 defects in 40 posts", by=qa)
    services.capa_close(capa_id=capa.pk, password=PASSWORD, by=qa)
    return _fresh(capa)


def _fresh(capa):
    capa.refresh_from_db()
    return capa


@pytest.fixture
def make_capa(people):
    return lambda stage, **kw: capa_at(people, stage, **kw)

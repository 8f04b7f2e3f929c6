"""Quality records as their services store them, written straight to the tables: the rollups
only read them, and tests need any timestamp (a CAPA opened 40 days ago, an ack due last week)."""

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest

from audits.models import Audit, AuditProgramme, Finding
from capa.models import ActionItem, CorrectiveAction, Nonconformity
from docs_control.models import Acknowledgement, Document, DocumentVersion
from post_reviews.models import SamplingLot

from .conftest import BASE

_seq = itertools.count(1)


@dataclass
class Quality:
    people: object

    def nc(
        self,
        *,
        team=None,
        at=BASE,
        source="complaint",
        category="disclosure",
        severity="major",
        capa=None,
        closed_at=None,
    ):
        """An NC; ``closed_at`` without a CAPA closes it by a no-action decision then."""
        team = team or self.people.team_a
        n = next(_seq)
        return Nonconformity.objects.create(
            reference=f"NC-T-{n:05d}",
            team=team,
            source_kind=source,
            category=category,
            severity=severity,
            title=f"NC {n}",
            description="d",
            detected_at=at,
            detected_by=self.people.qa,
            corrective_action=capa,
            status="closed" if closed_at or (capa and capa.status == "closed") else ("in_capa" if capa else "open"),
            decision="no_action" if closed_at else ("corrective_action" if capa else ""),
            decided_at=closed_at or (at if capa else None),
        )

    def capa(self, *, team=None, at=BASE, closed_at=None, cancelled_at=None):
        team = team or self.people.team_a
        n = next(_seq)
        status = "closed" if closed_at else ("cancelled" if cancelled_at else "implementing")
        return CorrectiveAction.objects.create(
            reference=f"CAPA-T-{n:05d}",
            team=team,
            title=f"CAPA {n}",
            owner=self.people.qa,
            opened_by=self.people.qa,
            opened_at=at,
            status=status,
            closed_at=closed_at,
            closed_by=self.people.qa if closed_at else None,
            cancelled_at=cancelled_at,
        )

    def item(self, capa, *, due, done_at=None, created_at=None):
        return ActionItem.objects.create(
            corrective_action=capa,
            description="do it",
            action_type="corrective",
            owner=self.people.qa,
            due_date=due,
            done_at=done_at,
            done_by=self.people.qa if done_at else None,
            created_at=created_at or capa.opened_at,
            created_by=self.people.qa,
        )

    def document(self, *, team=None, number=None):
        team = team or self.people.team_a
        doc = Document.objects.create(
            number=number or f"SOP-T-{next(_seq):03d}", title="Posting", team=team, owner=self.people.qa
        )
        version = DocumentVersion.objects.create(
            document=doc, major=1, minor=0, author=self.people.qa, status="effective", effective_at=BASE
        )
        return doc, version

    def ack(self, version, user, *, due=BASE, done_at=None):
        return Acknowledgement.objects.create(
            version=version, user=user, requested_at=due - timedelta(days=7), due_at=due, acknowledged_at=done_at
        )

    def finding(self, *, team=None, at=BASE, classification="minor_nc", clause="8.5.1"):
        team = team or self.people.team_a
        programme, _ = AuditProgramme.objects.get_or_create(
            team=team, year=2026, defaults={"objectives": "o", "owner": self.people.qa}
        )
        audit = Audit.objects.filter(programme=programme).first() or Audit.objects.create(
            reference=f"AUD-T-{next(_seq):04d}",
            programme=programme,
            team=team,
            title="Publishing",
            audit_type="process",
            lead_auditor=self.people.auditor,
            planned_start=BASE.date(),
            planned_end=BASE.date(),
        )
        number = Finding.objects.filter(audit=audit).count() + 1
        return Finding.objects.create(
            audit=audit,
            number=number,
            team=team,
            classification=classification,
            clause=clause,
            statement="s",
            created_at=at,
            created_by=self.people.auditor,
        )

    def lot(self, *, team=None, account=None, at=BASE, status="accepted"):
        team = team or self.people.team_a
        return SamplingLot.objects.create(
            team=team,
            account=account,
            period_start=BASE.date(),
            period_end=BASE.date(),
            method="percentage",
            percent=10,
            lot_size=10,
            sample_size=2,
            accept=0,
            reject=1,
            seed=1,
            status=status,
            decided_at=at if status != "open" else None,
            created_by=self.people.qa,
        )


@pytest.fixture
def quality(people):
    return Quality(people)

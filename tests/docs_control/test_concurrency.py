"""Races on real PostgreSQL: threads with their own connections hit the same rows at once."""

import threading

import pytest
from django.db import connection

from core.exceptions import Conflict, TransitionNotAllowed
from core.models import Signature
from docs_control import services
from docs_control.models import DocumentVersion
from docs_control.workflow import Status
from tests.conftest import make_personas
from tests.docs_control.conftest import draft_of, make_document, submit
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_concurrent_last_approvals_make_exactly_one_transition_20_times():
    people = make_personas()
    for round_no in range(20):
        document = make_document(people, number=f"SOP-RACE-{round_no}")
        version = draft_of(document)
        submit(people, version, approvers=[people.lead, people.lead2])
        results = _race(
            lambda v=version: services.version_approve(version_id=v.pk, by=people.lead, password=PASSWORD),
            lambda v=version: services.version_approve(version_id=v.pk, by=people.lead2, password=PASSWORD),
        )
        winners = [r for r in results if isinstance(r, DocumentVersion)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1, results
        assert len(losers) == 1 and isinstance(losers[0], TransitionNotAllowed), results
        version.refresh_from_db()
        assert version.status == Status.EFFECTIVE
        assert Signature.objects.for_record(version).filter(meaning="approved").count() == 1
        assert version.history.filter(status=Status.EFFECTIVE).count() == 1


def test_concurrent_draft_saves_one_wins_the_other_gets_the_conflict():
    people = make_personas()
    for round_no in range(5):
        version = draft_of(make_document(people, number=f"SOP-EDIT-{round_no}"))
        results = _race(
            lambda v=version: services.version_update_draft(
                version_id=v.pk, by=people.author, body="mine", change_summary="", lock_version=1
            ),
            lambda v=version: services.version_update_draft(
                version_id=v.pk, by=people.reviewer, body="theirs", change_summary="", lock_version=1
            ),
        )
        assert sum(isinstance(r, DocumentVersion) for r in results) == 1, results
        conflicts = [r for r in results if isinstance(r, Conflict)]
        assert len(conflicts) == 1
        version.refresh_from_db()
        assert version.lock_version == 2
        assert conflicts[0].current["body"] == version.body

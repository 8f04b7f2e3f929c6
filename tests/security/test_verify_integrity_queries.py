"""`verify_integrity` costs a bounded number of queries per batch of signatures, not a few per
signature (issue 13): the same count for 5 and for 25 signatures of mixed record types."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capa import services as capa_services
from capa.workflow import Status
from core.models import Signature
from docs_control import services as docs_services
from tests.capa.conftest import capa_at, raise_nc
from tests.docs_control.conftest import make_effective_document
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_until(people, n: int) -> None:
    """Signatures on distinct records of three types: versions (whose content reads their
    document, renamed after signing), nonconformities, corrective actions."""
    i = Signature.objects.count()
    while Signature.objects.count() < n:
        i += 1
        document, _version = make_effective_document(people, number=f"SOP-Q-{i:03}")
        docs_services.document_update(document_id=document.pk, by=people.lead, title=f"Renamed {i}")
        nc = raise_nc(people, description=f"Finding {i}")
        capa_services.nonconformity_decide_no_action(
            nonconformity_id=nc.pk, justification="One-off", password=PASSWORD, by=people.qa
        )


def _queries_to_verify() -> int:
    out = StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command("verify_integrity", stdout=out, stderr=StringIO())
    assert "No mismatches." in out.getvalue(), out.getvalue()
    assert f"{Signature.objects.count()} signatures checked" in out.getvalue()
    return len(queries)


def test_queries_do_not_grow_with_the_signatures(people):
    capa_at(people, Status.CLOSED)  # a closure signature on a corrective action
    _sign_until(people, 5)
    types = set(Signature.objects.values_list("record_type__model", flat=True))
    assert types >= {"documentversion", "nonconformity", "correctiveaction"}, types
    small = _queries_to_verify()

    _sign_until(people, 25)
    assert Signature.objects.count() >= 25
    large = _queries_to_verify()
    assert large == small, (small, large)
    # Per batch: the signatures, then per record type its rows and its history, and per tracked
    # related model (a version's document) the same; plus the counts and the attachments.
    assert small <= 15, small

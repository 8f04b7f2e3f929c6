"""Tamper evidence: `manage.py verify_integrity` finds records and files changed behind the app's back."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from capa import services as capa_services
from capa.models import Disposition
from capa.workflow import Status
from core.models import Attachment, Meaning, Signature
from core.services import attachment_create
from docs_control import services as docs_services
from tests.capa.conftest import capa_at, evidence_file, raise_nc
from tests.docs_control.conftest import draft_of, make_document, make_effective_document, submit
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_integrity", "--chunk-size", "2", stdout=out, stderr=StringIO())
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def everything_signed(people):
    """One of each kind of signature the product makes today, then legitimate changes after."""
    document, version = make_effective_document(people)  # approved
    docs_services.version_acknowledge(version_id=version.pk, by=people.author, password=PASSWORD)
    docs_services.document_review_no_change(document_id=document.pk, by=people.lead, password=PASSWORD)
    rejected = draft_of(make_document(people, number="SOP-T-002"))
    submit(people, rejected)
    docs_services.version_reject(version_id=rejected.pk, by=people.lead, password=PASSWORD, comment="Fix step 2")
    nc = raise_nc(people)
    capa_services.nonconformity_decide_no_action(
        nonconformity_id=nc.pk, justification="One-off typo", password=PASSWORD, by=people.qa
    )
    concession = raise_nc(people, description="Post went out without the brand colour")
    capa_services.nonconformity_contain(
        nonconformity_id=concession.pk,
        description="Accepted: the client agreed",
        disposition=Disposition.ACCEPTED_AS_IS,
        password=PASSWORD,
        by=people.qa,
    )
    capa_at(people, Status.CLOSED)  # closure signed, its NCs closed after
    # Legitimate changes after signing: the document is renamed, a new revision supersedes v1.0.
    docs_services.document_update(document_id=document.pk, by=people.lead, title="Publishing posts, renamed")
    new = docs_services.version_create_draft(document_id=document.pk, by=people.author)
    docs_services.version_update_draft(
        version_id=new.pk, by=people.author, body="New body", change_summary="rewrite", lock_version=new.lock_version
    )
    submit(people, new)
    docs_services.version_approve(version_id=new.pk, by=people.lead, password=PASSWORD)
    attachment_create(team=people.team_a, upload=evidence_file(), by=people.qa)
    meanings = set(Signature.objects.values_list("meaning", flat=True))
    assert meanings >= {Meaning.APPROVED, Meaning.ACKNOWLEDGED, Meaning.REVIEWED, Meaning.REJECTED, Meaning.CLOSED}
    return version


def test_a_clean_database_passes(everything_signed):
    code, out = _verify()
    assert code == 0, out
    assert "MISMATCH" not in out
    assert f"{Signature.objects.count()} signatures checked" in out
    assert f"{Attachment.objects.count()} attachments checked" in out


def test_a_signed_version_body_changed_with_sql_is_reported(everything_signed):
    version = everything_signed
    with connection.cursor() as cursor:
        cursor.execute("UPDATE docs_control_documentversion SET body = 'forged' WHERE id = %s", [version.pk])
    code, out = _verify()
    assert code == 1
    signed = Signature.objects.filter(record_id=version.pk, record_type__model="documentversion")
    reported = [line for line in out.splitlines() if line.startswith("MISMATCH")]
    # Reported for each of its signatures (approval, acknowledgement, periodic review).
    assert len(reported) == signed.count() >= 3, out
    assert all(f"docs_control.documentversion {version.pk} v1.0" in line for line in reported)
    assert all("content changed since signing" in line for line in reported)


def test_a_closed_capa_changed_with_sql_is_reported(everything_signed):
    closure = Signature.objects.get(meaning=Meaning.CLOSED)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE capa_correctiveaction SET root_cause = 'nobody' WHERE id = %s", [closure.record_id])
    code, out = _verify()
    assert code == 1
    assert f"MISMATCH signature {closure.pk} (capa.correctiveaction {closure.record_id}" in out


def test_an_attachment_whose_bytes_changed_is_reported(everything_signed, settings):
    attachment = Attachment.objects.order_by("pk").last()
    with attachment.file.storage.open(attachment.file.name, "wb") as stored:
        stored.write(b"a different screenshot\n")
    code, out = _verify()
    assert code == 1
    assert f"MISMATCH attachment {attachment.pk} (evidence.txt" in out
    assert "bytes changed since upload" in out


def test_a_missing_attachment_file_is_reported(everything_signed):
    attachment = Attachment.objects.order_by("pk").last()
    attachment.file.storage.delete(attachment.file.name)
    code, out = _verify()
    assert code == 1
    assert "the stored file is missing" in out


def test_history_forged_past_the_triggers_is_reported(everything_signed):
    """An owner who switched the triggers off and rewrote both the record and its history."""
    version = everything_signed
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE docs_control_documentversion SET body = 'forged' WHERE id = %s", [version.pk])
        cursor.execute("UPDATE docs_control_historicaldocumentversion SET body = 'forged' WHERE id = %s", [version.pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    code, out = _verify()
    assert code == 1
    assert "content changed since signing (signed" in out


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_goes_to_stderr_on_a_terminal_only(people):
    make_effective_document(people)
    attachment_create(team=people.team_a, upload=evidence_file(), by=people.qa)
    out, err = StringIO(), _Terminal()
    call_command("verify_integrity", stdout=out, stderr=err)
    bars = err.getvalue()
    assert f"\rsignatures [{'#' * 30}] 100% 1 of 1" in bars
    assert f"\rattachments [{'#' * 30}] 100% 1 of 1\n" in bars
    assert "of 1" not in out.getvalue() and "1 signatures checked" in out.getvalue()
    quiet, piped = StringIO(), StringIO()
    call_command("verify_integrity", stdout=piped, stderr=quiet)
    assert quiet.getvalue() == ""  # not a terminal (cron, a pipe, a log): no bar at all
    assert piped.getvalue() == out.getvalue()

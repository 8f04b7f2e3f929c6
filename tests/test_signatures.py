import logging

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from core.exceptions import InvalidPassword, SigningLocked
from core.models import Meaning, Signature
from core.services import canonical_sha256, signature_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_right_password_creates_one_signature_with_name_meaning_time_and_hash(people):
    team = people.team_a
    signature = signature_create(record=team, by=people.lead, password=PASSWORD, meaning=Meaning.APPROVED)
    assert Signature.objects.count() == 1
    assert signature.printed_name == "Ben Tester"
    assert signature.meaning == "approved"
    assert signature.signed_at.utcoffset().total_seconds() == 0
    assert signature.content_sha256 == canonical_sha256(team)
    assert len(signature.content_sha256) == 64
    assert signature.record == team


def test_hash_changes_when_the_signed_content_changes(people):
    before = canonical_sha256(people.team_a)
    people.team_a.name = "Brand renamed"
    assert canonical_sha256(people.team_a) != before


def test_wrong_password_creates_nothing_and_is_logged(people, caplog):
    with caplog.at_level(logging.WARNING, logger="qms.security"), pytest.raises(InvalidPassword):
        signature_create(record=people.team_a, by=people.lead, password="wrong", meaning=Meaning.APPROVED)
    assert Signature.objects.count() == 0
    assert any("wrong password" in r.getMessage() for r in caplog.records)


def test_five_wrong_passwords_lock_signing(people):
    for _ in range(5):
        with pytest.raises(InvalidPassword):
            signature_create(record=people.team_a, by=people.lead, password="bad", meaning=Meaning.APPROVED)
    with pytest.raises(SigningLocked):
        signature_create(record=people.team_a, by=people.lead, password=PASSWORD, meaning=Meaning.APPROVED)
    assert Signature.objects.count() == 0
    # Another user is not affected.
    signature_create(record=people.team_a, by=people.lead2, password=PASSWORD, meaning=Meaning.APPROVED)


def test_a_success_resets_the_failure_count(people):
    for _ in range(4):
        with pytest.raises(InvalidPassword):
            signature_create(record=people.team_a, by=people.lead, password="bad", meaning=Meaning.APPROVED)
    signature_create(record=people.team_a, by=people.lead, password=PASSWORD, meaning=Meaning.APPROVED)
    with pytest.raises(InvalidPassword):
        signature_create(record=people.team_a, by=people.lead, password="bad", meaning=Meaning.APPROVED)
    signature_create(record=people.team_a, by=people.lead, password=PASSWORD, meaning=Meaning.REVIEWED)
    assert Signature.objects.count() == 2


def test_failures_survive_the_callers_rollback(people):
    for _ in range(5):
        with pytest.raises(InvalidPassword), transaction.atomic():
            signature_create(record=people.team_a, by=people.lead, password="bad", meaning=Meaning.APPROVED)
    with pytest.raises(SigningLocked):
        signature_create(record=people.team_a, by=people.lead, password=PASSWORD, meaning=Meaning.APPROVED)


def test_app_refuses_to_change_or_delete_a_signature(people):
    signature = signature_create(record=people.team_a, by=people.lead, password=PASSWORD, meaning=Meaning.APPROVED)
    signature.comment = "edited"
    with pytest.raises(TypeError):
        signature.save()
    with pytest.raises(TypeError):
        signature.delete()
    with pytest.raises(TypeError):
        Signature.objects.filter(pk=signature.pk).update(comment="x")


@pytest.mark.parametrize("sql", ["UPDATE core_signature SET comment = 'tampered'", "DELETE FROM core_signature"])
def test_postgresql_refuses_update_and_delete_of_signatures(people, sql):
    assert connection.vendor == "postgresql"
    signature_create(record=people.team_a, by=people.lead, password=PASSWORD, meaning=Meaning.APPROVED)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Signature.objects.get().comment == ""

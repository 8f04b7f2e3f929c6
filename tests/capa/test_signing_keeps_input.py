"""A wrong signing password on a CAPA or NC page keeps what was typed."""

import pytest

from capa.workflow import Status

from .conftest import capa_at, raise_nc

pytestmark = pytest.mark.django_db


def test_wrong_password_on_close_keeps_the_comment(client_for, people):
    capa = capa_at(people, Status.VERIFYING)
    response = client_for(people.qa).post(
        f"/capa/{capa.pk}/close/", {"close-password": "wrong", "close-comment": "Effective over two months"}
    )
    assert response.status_code == 400
    assert 'value="Effective over two months"' in response.content.decode()


def test_wrong_password_on_the_nc_page_keeps_the_text(client_for, people):
    nc = raise_nc(people)
    client = client_for(people.qa)
    response = client.post(
        f"/capa/nonconformities/{nc.pk}/no-action/",
        {"noaction-justification": "A one-off typo, already fixed", "noaction-password": "bad"},
    )
    assert response.status_code == 400
    assert "A one-off typo, already fixed</textarea>" in response.content.decode()
    response = client.post(
        f"/capa/nonconformities/{nc.pk}/contain/",
        {"contain-disposition": "accepted_as_is", "contain-description": "Harmless typo", "contain-password": "bad"},
    )
    assert response.status_code == 400
    assert "Harmless typo</textarea>" in response.content.decode()

import pytest

from docs_control import services
from docs_control.models import Document, DocumentVersion
from tests.factories import PASSWORD

BODY = "## Purpose\nEvery post is checked before it is published.\n\n## Steps\n1. Draft.\n2. Review.\n"


def make_document(people, *, number="SOP-T-001", required_approvals=1, body=BODY) -> Document:
    return services.document_create(
        team_id=people.team_a.pk,
        number=number,
        title="Publishing posts",
        by=people.author,
        owner_id=people.lead.pk,
        required_approvals=required_approvals,
        body=body,
    )


def draft_of(document: Document) -> DocumentVersion:
    return document.versions.get(status="draft")


def submit(people, version, approvers=None, **kwargs) -> DocumentVersion:
    approvers = approvers or [people.lead]
    return services.version_submit(
        version_id=version.pk, by=people.author, approver_ids=[a.pk for a in approvers], **kwargs
    )


def make_effective_document(people, **kwargs) -> tuple[Document, DocumentVersion]:
    document = make_document(people, **kwargs)
    version = draft_of(document)
    submit(people, version)
    services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD)
    version.refresh_from_db()
    return document, version


@pytest.fixture
def document(people):
    return make_document(people)


@pytest.fixture
def effective(people):
    return make_effective_document(people)

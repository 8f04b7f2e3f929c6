import io

import pytest
from pypdf import PdfReader

from core.exceptions import NotFound
from docs_control import services
from docs_control.rendering import render_markdown, word_diff
from tests.docs_control.conftest import draft_of, make_document
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_markdown_is_sanitised():
    html = render_markdown(
        "# Title\n<script>alert(1)</script>\n\n<b onclick='x()'>raw</b> [link](javascript:alert(1)) [ok](https://example.com)"
    )
    assert "<script" not in html
    assert "<b " not in html  # the tag is shown as text, its handler never becomes an attribute
    assert "javascript:" not in html
    assert "&lt;script&gt;" in html  # raw HTML is shown as text, not interpreted
    assert '<a href="https://example.com"' in html and "<h1>Title</h1>" in html


def test_word_diff_marks_changed_words_only():
    diff = word_diff("Post after review.", "Post only after a second review.")
    assert diff["right"] == "Post<ins> only</ins> after <ins>a second </ins>review."
    assert diff["left"] == "Post after review."
    assert diff["added"] == 3 and diff["removed"] == 0


def test_document_page_shows_signatures_and_history(client_for, people, effective):
    document, _version = effective
    page = client_for(people.qa).get(f"/documents/{document.pk}/").content.decode()
    assert "Ben Tester" in page and "Approved" in page
    assert 'data-testid="history"' in page and "effective" in page
    assert "0 of 8 acknowledged" in page


def test_pdf_carries_header_manifest_and_uncontrolled_footer(client_for, people, effective):
    _document, version = effective
    response = client_for(people.qa).get(f"/documents/versions/{version.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "SOP-T-001" in text and "v1.0" in text and "Effective" in text
    assert "Signature manifest" in text and "Ben Tester" in text and "Approved" in text
    assert "Uncontrolled when printed" in text and "Page 1 of" in text


def test_pdf_header_shows_the_document_number_verbatim(client_for, people):
    document = make_document(people, number="SOP-SM-002")
    version = draft_of(document)
    response = client_for(people.qa).get(f"/documents/versions/{version.pk}/pdf/")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "SOP-SM-002 · v1.0 · Draft" in text  # the running header, not the title line
    assert "u002D" not in text


def test_css_string_escapes_for_a_css_string_not_for_javascript():
    from core.templatetags.qms import css_string

    assert css_string("SOP-SM-002") == "SOP-SM-002"
    assert css_string("a\"b\\c'd") == "a\\\"b\\\\c\\'d"
    assert css_string("line\nbreak\x00</style>&") == "line\\A break\\0 \\3C /style\\3E \\26 "


def test_pdf_fetcher_refuses_external_urls():
    from docs_control.pdf import StaticOnlyFetcher

    with pytest.raises(ValueError, match="no external"):
        StaticOnlyFetcher().fetch("http://169.254.169.254/latest/meta-data")
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch("file:///etc/passwd")


def test_large_pdf_is_built_by_a_worker_then_served(client_for, people, settings, django_capture_on_commit_callbacks):
    settings.QMS_PDF_INLINE_MAX_CHARS = 10
    document = make_document(people)
    version = draft_of(document)
    client = client_for(people.qa)
    first = client.get(f"/documents/versions/{version.pk}/pdf/")  # eager worker builds it
    assert first.status_code == 302
    second = client.get(f"/documents/versions/{version.pk}/pdf/")
    assert second.status_code == 200
    assert b"".join(second.streaming_content).startswith(b"%PDF")


def test_pages_of_another_team_are_404(client_for, people, effective):
    document, version = effective
    client = client_for(people.outsider)
    for url in [
        f"/documents/{document.pk}/",
        f"/documents/versions/{version.pk}/",
        f"/documents/versions/{version.pk}/diff/",
        f"/documents/versions/{version.pk}/pdf/",
        f"/documents/versions/{version.pk}/edit/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/documents/versions/{version.pk}/obsolete/", {"reason": "x"}).status_code == 404
    assert "SOP-T-001" not in client.get("/documents/").content.decode()


def test_diff_against_a_version_of_another_document_is_a_message_not_a_500(client_for, people, effective):
    _document, version = effective
    other = draft_of(make_document(people, number="SOP-T-002"))
    response = client_for(people.qa).get(f"/documents/versions/{version.pk}/diff/?against={other.pk}", follow=True)
    assert response.status_code == 200
    assert "Both versions must belong to the same document." in response.content.decode()


def test_wrong_password_in_the_page_shows_a_message_and_signs_nothing(client_for, people, document):
    version = draft_of(document)
    client = client_for(people.author)
    client.post(f"/documents/versions/{version.pk}/submit/", {"approvers": [people.lead.pk]})
    lead = client_for(people.lead)
    response = lead.post(f"/documents/versions/{version.pk}/approve/", {"password": "bad"}, follow=True)
    assert "password is not correct" in response.content.decode()
    version.refresh_from_db()
    assert version.status == "in_review"


def test_draft_editor_conflict_shows_what_changed(client_for, people, document):
    version = draft_of(document)
    services.version_update_draft(
        version_id=version.pk, by=people.reviewer, body="Their text", change_summary="", lock_version=1
    )
    response = client_for(people.author).post(
        f"/documents/versions/{version.pk}/edit/", {"body": "My text", "change_summary": "", "lock_version": 1}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="conflict"' in page and "Their" in page and "My" in page
    version.refresh_from_db()
    assert version.body == "Their text"


def test_preview_renders_sanitised_markdown(client_for, people):
    response = client_for(people.author).post("/documents/preview/", {"body": "**bold** <script>x</script>"})
    assert "<strong>bold</strong>" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_register_filters_and_full_text_search(client_for, people, effective):
    make_document(people, number="SOP-OTHER-1", body="Crisis escalation rota")
    client = client_for(people.qa)
    page = client.get("/documents/?q=checked").content.decode()
    assert "SOP-T-001" in page and "SOP-OTHER-1" not in page
    page = client.get("/documents/?q=escalation").content.decode()
    assert "SOP-OTHER-1" in page and "SOP-T-001" not in page
    page = client.get("/documents/?status=effective").content.decode()
    assert "SOP-T-001" in page and "SOP-OTHER-1" not in page
    page = client_for(people.author).get("/documents/?awaiting_my_ack=on").content.decode()
    assert "SOP-T-001" in page


def test_register_query_count_is_bounded(client_for, people, django_assert_max_num_queries):
    client = client_for(people.qa)
    for i in range(3):
        make_document(people, number=f"SOP-C-{i}")
    with django_assert_max_num_queries(20) as small:
        client.get("/documents/")
    for i in range(3, 30):
        make_document(people, number=f"SOP-C-{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert "SOP-C-29" in client.get("/documents/").content.decode()


def test_training_matrix_and_csv(client_for, people, effective):
    _document, version = effective
    services.version_acknowledge(version_id=version.pk, by=people.author, password=PASSWORD)
    client = client_for(people.qa)
    page = client.get("/documents/training/").content.decode()
    assert "v1.0 ✓" in page and "pending" in page
    csv = client.get("/documents/training/?format=csv").content.decode()
    assert csv.splitlines()[0] == "person,SOP-T-001 Publishing posts"
    assert any(line.startswith("Dan Tester,acknowledged v1.0") for line in csv.splitlines())


def test_approver_inbox_lists_pending_approvals(client_for, people, document):
    version = draft_of(document)
    client_for(people.author).post(f"/documents/versions/{version.pk}/submit/", {"approvers": [people.lead.pk]})
    page = client_for(people.lead).get("/documents/approvals/").content.decode()
    assert f"/documents/versions/{version.pk}/" in page
    assert "SOP-T-001 v1.0" in page


def test_a_reader_from_another_team_sees_only_the_version_they_must_acknowledge(client_for, people):
    from tests.docs_control.conftest import submit

    document = make_document(people)
    version = draft_of(document)
    from tests.docs_control.test_workflow import _also_in_team_b

    _also_in_team_b(people.author, people)
    submit(people, version, extra_team_ids=[people.team_b.pk])
    services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD)
    revision = services.version_create_draft(document_id=document.pk, by=people.author)
    client = client_for(people.outsider)
    assert client.get(f"/documents/versions/{version.pk}/").status_code == 200
    assert client.get(f"/documents/versions/{revision.pk}/").status_code == 404
    assert client.get(f"/documents/versions/{revision.pk}/diff/").status_code == 404


def test_a_reader_from_another_team_learns_nothing_of_later_revisions(client_for, api_for, people):
    from tests.docs_control.conftest import submit
    from tests.docs_control.test_workflow import _also_in_team_b

    document = make_document(people)
    first = draft_of(document)
    _also_in_team_b(people.author, people)
    submit(people, first, extra_team_ids=[people.team_b.pk])
    services.version_approve(version_id=first.pk, by=people.lead, password=PASSWORD)
    second = services.version_create_draft(document_id=document.pk, by=people.author)
    second = services.version_update_draft(
        version_id=second.pk,
        by=people.author,
        body="SECRET REVISION TEXT",
        change_summary="v2",
        lock_version=second.lock_version,
    )
    submit(people, second)  # team A only
    services.version_approve(version_id=second.pk, by=people.lead, password=PASSWORD)
    third = services.version_create_draft(document_id=document.pk, by=people.author)

    client = client_for(people.outsider)
    diff = client.get(f"/documents/versions/{first.pk}/diff/")
    assert diff.status_code == 200 and "SECRET REVISION TEXT" not in diff.content.decode()
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert f"/documents/versions/{third.pk}/" not in page and f"/documents/versions/{second.pk}/" not in page
    api = api_for(people.outsider)
    detail = api.get(f"/api/v1/documents/{document.pk}/").json()
    assert "draft" not in str(detail.get("latest_status")) and "SECRET" not in str(detail)
    api_diff = api.get(f"/api/v1/document-versions/{first.pk}/diff/")
    assert api_diff.status_code == 200 and "SECRET REVISION TEXT" not in api_diff.content.decode()
    with pytest.raises(NotFound):
        services.version_approve(version_id=third.pk, by=people.outsider, password=PASSWORD)
    with pytest.raises(NotFound):
        services.version_update_draft(
            version_id=third.pk, by=people.outsider, body="x", change_summary="x", lock_version=0
        )


def test_the_ack_inbox_marks_overdue_acknowledgements(client_for, people):
    from datetime import timedelta

    from django.utils import timezone

    from docs_control.models import Acknowledgement
    from tests.docs_control.conftest import make_effective_document

    make_effective_document(people, number="SOP-ACK-1")
    make_effective_document(people, number="SOP-ACK-2")
    late = Acknowledgement.objects.filter(user=people.reviewer, version__document__number="SOP-ACK-1").get()
    Acknowledgement.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))

    page = client_for(people.reviewer).get("/documents/approvals/").content.decode()
    inbox = page[page.index('data-testid="ack-inbox"') :]
    first, second = inbox.split("SOP-ACK-2")[0], inbox.split("SOP-ACK-2")[1]
    assert "SOP-ACK-1" in first and "text-danger" in first
    assert "text-danger" not in second.split("</a>")[0]


def test_a_bad_register_filter_is_reported_not_dropped(client_for, people, document):
    response = client_for(people.qa).get("/documents/?kind=sopp&status=bogus")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kind:" in html and "Status:" in html
    assert document.number not in html.split('data-testid="register"')[1]
    assert client_for(people.qa).get("/documents/?kind=sop").status_code == 200

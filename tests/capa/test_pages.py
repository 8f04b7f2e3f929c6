"""Pages: scoping, bounded list queries, errors by field, and the chain on the detail page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from capa.models import ActionItem, Nonconformity
from capa.workflow import Status
from tests.factories import PASSWORD

from .conftest import capa_at, raise_nc

pytestmark = pytest.mark.django_db


def _several(people):
    for stage in (Status.OPEN, Status.ACTION_PLAN, Status.IMPLEMENTING, Status.VERIFYING, Status.CLOSED):
        capa_at(people, stage)
    for _ in range(3):
        raise_nc(people)


@pytest.mark.parametrize(
    "url", ["/capa/", "/capa/list/", "/capa/list/?overdue=on&status=implementing", "/capa/nonconformities/"]
)
def test_lists_run_a_bounded_number_of_queries(client_for, people, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _several(people)
    client = client_for(people.qa)
    client.get(url)  # warms the content-type cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _several(people)
    _several(people)
    with CaptureQueriesContext(connection) as three_times:
        assert client.get(url).status_code == 200
    assert len(three_times) == len(few) <= 14


def test_detail_page_query_count_does_not_grow_with_action_items(client_for, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from capa import services

    capa = capa_at(people, Status.IMPLEMENTING)
    client = client_for(people.qa)
    client.get(f"/capa/{capa.pk}/")  # warms the content-type cache
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/capa/{capa.pk}/").status_code == 200
    for n in range(5):
        services.action_item_add(
            capa_id=capa.pk,
            description=f"Follow-up {n}",
            action_type="corrective",
            owner=people.author,
            due_date=timezone.localdate() + timedelta(days=7),
            by=people.qa,
        )
    with CaptureQueriesContext(connection) as six:
        assert client.get(f"/capa/{capa.pk}/").status_code == 200
    assert len(six) == len(one)


def test_board_shows_columns_owner_age_and_overdue(client_for, people):
    capa = capa_at(people, Status.IMPLEMENTING)
    item = capa.items.get()
    # Make the item overdue the honest way: time passes (due dates can't be set in the past).
    item.due_date = timezone.localdate() - timedelta(days=1)
    item._change_reason = "test: time passed"
    item.save()
    html = client_for(people.qa).get("/capa/").content.decode()
    assert 'data-testid="board-column-implementing"' in html
    assert capa.reference in html
    assert 'data-testid="overdue"' in html
    assert people.qa.printed_name in html
    listing = client_for(people.qa).get("/capa/list/?overdue=on").content.decode()
    assert capa.reference in listing


def test_another_teams_pages_are_404(client_for, people):
    capa = capa_at(people, Status.IMPLEMENTING)
    nc = capa.nonconformities.get()
    item = capa.items.get()
    client = client_for(people.outsider)
    assert client.get(f"/capa/{capa.pk}/").status_code == 404
    assert client.get(f"/capa/nonconformities/{nc.pk}/").status_code == 404
    assert client.post(f"/capa/{capa.pk}/cancel/", {"cancel-reason": "x"}).status_code == 404
    assert client.post(f"/capa/{capa.pk}/items/{item.pk}/done/").status_code == 404
    assert client.post(f"/capa/nonconformities/{nc.pk}/contain/", {"contain-description": "x"}).status_code == 404
    assert capa.reference not in client.get("/capa/").content.decode()
    assert nc.reference not in client.get("/capa/nonconformities/").content.decode()


def test_detail_page_shows_the_whole_chain_and_history(client_for, people):
    capa = capa_at(people, Status.CLOSED)
    html = client_for(people.auditor).get(f"/capa/{capa.pk}/").content.decode()
    nc = capa.nonconformities.get()
    for part in (
        nc.reference,
        "Checklist has no disclosure item",
        "Add a disclosure item",
        "evidence.txt",
        "No disclosure defects for 30 days",
        "Effective",
        'data-testid="signatures"',
        "Closed",
        'data-testid="history"',
        "implementation started",
    ):
        assert part in html, part
    assert "Close and sign" not in html


def test_raise_page_shows_errors_by_field_and_similar_ncs(client_for, people):
    existing = raise_nc(people)
    client = client_for(people.author)
    page = client.get("/capa/nonconformities/new/").content.decode()
    assert existing.reference in page
    response = client.post(
        "/capa/nonconformities/new/",
        {"team": people.team_a.pk, "source_kind": "complaint", "category": "disclosure", "severity": "major"},
    )
    assert response.status_code == 400
    assert 'data-testid="error-description"' in response.content.decode()
    similar = client.get(f"/capa/nonconformities/new/similar/?team={people.team_a.pk}&category=disclosure")
    assert existing.reference in similar.content.decode()
    assert "<html" not in similar.content.decode()


def test_viewer_cannot_raise(client_for, people):
    assert client_for(people.viewer).get("/capa/nonconformities/new/").status_code == 403


def test_wrong_password_on_close_is_shown_on_the_field(client_for, people):
    capa = capa_at(people, Status.VERIFYING)
    response = client_for(people.qa).post(f"/capa/{capa.pk}/close/", {"close-password": "wrong"})
    assert response.status_code == 400
    assert 'data-testid="error-password"' in response.content.decode()
    capa.refresh_from_db()
    assert capa.status == Status.VERIFYING
    response = client_for(people.qa).post(f"/capa/{capa.pk}/close/", {"close-password": PASSWORD})
    assert response.status_code == 302
    capa.refresh_from_db()
    assert capa.status == Status.CLOSED


def test_forbidden_step_on_a_page_is_explained_not_500(client_for, people):
    capa = capa_at(people, Status.OPEN)
    response = client_for(people.qa).post(f"/capa/{capa.pk}/implement/")
    assert response.status_code == 400
    assert "Can&#x27;t go from open to implementing" in response.content.decode()
    assert client_for(people.qa).post(f"/capa/{capa.pk}/nonsense/").status_code == 404


def test_concession_and_no_action_from_the_nc_page(client_for, people):
    nc = raise_nc(people)
    client = client_for(people.qa)
    response = client.post(
        f"/capa/nonconformities/{nc.pk}/contain/",
        {"contain-disposition": "accepted_as_is", "contain-description": "Harmless typo", "contain-password": "bad"},
    )
    assert response.status_code == 400
    response = client.post(
        f"/capa/nonconformities/{nc.pk}/contain/",
        {"contain-disposition": "accepted_as_is", "contain-description": "Harmless typo", "contain-password": PASSWORD},
    )
    assert response.status_code == 302
    response = client.post(
        f"/capa/nonconformities/{nc.pk}/no-action/",
        {"noaction-justification": "Accepted as is", "noaction-password": PASSWORD},
    )
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.status == "closed"
    html = client.get(f"/capa/nonconformities/{nc.pk}/").content.decode()
    assert html.count("Alice Tester") >= 2


def test_dashboard_capa_panel_counts_the_users_teams_only(client_for, people):
    import re

    raise_nc(people)
    raise_nc(people)
    raise_nc(people, team=people.team_b, by=people.outsider)  # another team's: not counted
    capa_at(people, Status.VERIFYING)
    late = capa_at(people, Status.IMPLEMENTING)
    ActionItem.objects.filter(corrective_action=late).update(due_date=timezone.localdate() - timedelta(days=1))

    html = client_for(people.qa).get("/").content.decode()
    panel = html[html.index('data-testid="capa-panel"') :]

    def number(label):
        return int(re.search(label + r"</(?:a|span)><span[^>]*>(\d+)</span>", panel).group(1))

    assert number("Open nonconformities") == 2
    assert number("Active corrective actions") == 2
    assert number("Waiting for verification") == 1
    assert number("Overdue action items") == 1


def test_demo_seed_is_idempotent_and_has_an_overdue_capa(settings):
    from accounts import demo as accounts_demo
    from capa import demo
    from capa.models import CorrectiveAction
    from capa.selectors import overdue_action_items

    accounts_demo.seed()
    demo.seed()
    counts = (Nonconformity.objects.count(), CorrectiveAction.objects.count())
    demo.seed()
    assert (Nonconformity.objects.count(), CorrectiveAction.objects.count()) == counts == (6, 4)
    statuses = set(CorrectiveAction.objects.values_list("status", flat=True))
    assert statuses == {"implementing", "investigating", "verifying", "closed"}
    assert overdue_action_items(timezone.now()).count() == 1


def test_detail_page_query_count_does_not_grow_with_linked_nonconformities_and_their_sources(client_for, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from capa import services
    from tests.docs_control.conftest import make_document

    capa = capa_at(people, Status.ACTION_PLAN)
    client = client_for(people.qa)

    def link_sourced(n):
        document = make_document(people, number=f"SOP-SRC-{n}")
        nc = services.nonconformity_raise(
            source=document, team=people.team_a, severity="minor", description=f"Source {n}", by=people.qa
        )
        services.nonconformity_link_capa(nonconformity_id=nc.pk, capa_id=capa.pk, by=people.qa)

    link_sourced(0)
    client.get(f"/capa/{capa.pk}/")  # warms the content-type cache
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/capa/{capa.pk}/").status_code == 200
    for n in range(1, 4):
        link_sourced(n)
    with CaptureQueriesContext(connection) as four:
        page = client.get(f"/capa/{capa.pk}/")
    assert page.status_code == 200 and "SOP-SRC-3" in page.content.decode()
    assert len(four) == len(one)


@pytest.mark.parametrize("url", ["/capa/list/?owner=99999&status=bogus", "/capa/nonconformities/?severity=huge"])
def test_a_bad_filter_value_is_shown_by_its_field_not_dropped(client_for, people, url):
    _several(people)
    response = client_for(people.qa).get(url)
    assert response.status_code == 400
    html = response.content.decode()
    rows = html.split('aria-label="Filters"')[1].split("</form>", 1)[1]
    assert "invalid-feedback" in html
    assert "CAPA-" not in rows and "NC-" not in rows  # nothing listed as if it matched

"""Quality objectives: met, not met, at risk; rights; scoping; the missed notice once per period."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import PermissionDenied, ValidationError
from core.models import Notification
from metrics.models import ReviewDaily
from metrics.objectives import AT_RISK, MET, NO_DATA, NOT_MET, objective_statuses, period_bounds
from metrics.services import objective_create, objective_update, objectives_evaluate

TODAY = date(2026, 12, 10)


def _reviews(team_id, day, n, passed):
    ReviewDaily.objects.create(
        day=day,
        team_id=team_id,
        account_id=1,
        platform="x",
        stage="post_publication",
        reviews=n,
        passed=passed,
        passed_minor=0,
        failed=n - passed,
    )


def _objective(people, **overrides):
    data = {
        "name": "Pass rate",
        "metric": "review_pass_rate",
        "comparator": "gte",
        "target": 90,
        "period": "month",
        "owner": people.qa.pk,
        **overrides,
    }
    return objective_create(team_id=people.team_a.pk, data=data, by=people.qa)


def test_period_bounds():
    assert period_bounds("month", date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28), "2026-02")
    assert period_bounds("quarter", date(2026, 11, 3)) == (date(2026, 10, 1), date(2026, 12, 31), "2026-Q4")
    assert period_bounds("quarter", date(2026, 5, 3)) == (date(2026, 4, 1), date(2026, 6, 30), "2026-Q2")
    assert period_bounds("year", date(2026, 5, 3)) == (date(2026, 1, 1), date(2026, 12, 31), "2026")


def test_statuses_met_not_met_at_risk_and_no_data(people):
    objective = _objective(people)
    _reviews(people.team_a.pk, date(2026, 12, 2), 10, 5)  # this month so far: 50 %
    _reviews(people.team_a.pk, date(2026, 11, 5), 10, 10)  # last month: 100 %
    _reviews(people.team_a.pk, date(2026, 10, 5), 10, 8)  # October: 80 %
    _reviews(people.team_b.pk, date(2026, 9, 5), 10, 10)  # another team's: never counted
    periods = objective_statuses([objective], today=TODAY)[objective.pk]
    assert [(p.label, p.value, p.status) for p in periods] == [
        ("2026-12", 50.0, AT_RISK),
        ("2026-11", 100.0, MET),
        ("2026-10", 80.0, NOT_MET),
        ("2026-09", None, NO_DATA),
    ]


def test_a_missed_objective_notifies_its_owner_once_per_period(people):
    objective = _objective(people)
    _reviews(people.team_a.pk, date(2026, 11, 5), 10, 1)
    assert objectives_evaluate(today=TODAY) == 1
    assert objectives_evaluate(today=TODAY) == 0
    notice = Notification.objects.get(kind="objective_missed")
    assert notice.recipient == people.qa and notice.due_bucket == "2026-11"
    assert objective.name in notice.title


def test_only_those_with_the_right_set_objectives_and_never_for_another_team(people):
    with pytest.raises(PermissionDenied):
        objective_create(team_id=people.team_a.pk, data={}, by=people.reviewer)
    with pytest.raises(Exception) as exc:
        objective_create(team_id=people.team_b.pk, data={}, by=people.qa)
    assert exc.type.__name__ == "NotFound"


def test_bad_input_is_reported_by_field_and_nothing_is_written(people):
    with pytest.raises(ValidationError) as exc:
        _objective(people, metric="happiness", comparator="~", name=" ", owner=people.outsider.pk)
    assert set(exc.value.errors) == {"metric", "comparator", "name", "owner"}
    objective = _objective(people)
    with pytest.raises(ValidationError):
        _objective(people)  # same name in the team
    objective_update(objective_id=objective.pk, data={"target": 80}, by=people.qa)
    objective.refresh_from_db()
    assert objective.target == 80
    assert objective.history.first().history_change_reason == "objective changed: target"


def test_objective_api_lists_with_status_in_bounded_queries(api_for, people):
    api = api_for(people.qa)
    body = {
        "team": people.team_a.pk,
        "name": "Pass",
        "metric": "review_pass_rate",
        "comparator": "gte",
        "target": "90",
        "owner": people.qa.pk,
    }
    created = api.post("/api/v1/objectives/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["status"][0]["status"] == NO_DATA

    def count_list():
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/objectives/").status_code == 200
        return len(queries)

    one = count_list()
    for n in range(4):
        api.post("/api/v1/objectives/", {**body, "name": f"Pass {n}"}, format="json")
    assert count_list() == one
    assert api_for(people.reviewer).post("/api/v1/objectives/", {**body, "name": "x"}, format="json").status_code == 403
    assert api_for(people.outsider).get(f"/api/v1/objectives/{created.json()['id']}/").status_code == 404
    assert api.post("/api/v1/objectives/", {**body, "metric": "nope"}, format="json").status_code == 400
    patched = api.patch(f"/api/v1/objectives/{created.json()['id']}/", {"target": "95"}, format="json")
    assert patched.status_code == 200 and patched.json()["target"] == "95.000"


def test_objective_pages(client_for, people):
    objective = _objective(people)
    assert client_for(people.qa).get(objective.get_absolute_url()).status_code == 200
    assert client_for(people.outsider).get(objective.get_absolute_url()).status_code == 404
    assert client_for(people.reviewer).get("/metrics/objectives/new/").status_code == 403
    page = client_for(people.qa).get("/metrics/")
    assert b"Set an objective" in page.content and objective.name.encode() in page.content
    assert b"Set an objective" not in client_for(people.reviewer).get("/metrics/").content

"""p-chart limits, Pareto order, series, the API's answers and scoping, from the rollups."""

import math
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.definitions import METRICS
from metrics.models import DefectDaily, ReviewDaily
from metrics.selectors import Filters, metric_series, p_chart, pareto
from metrics.services import rollup_metrics

from .conftest import BASE, add_defect, add_review, days


def _filters(team_ids, interval="day") -> Filters:
    return Filters(
        team_ids=frozenset(team_ids), day_from=date(2026, 11, 1), day_to=date(2026, 11, 30), interval=interval
    )


def _rows(team_id, account_id, by_day):
    for day, (n, passed) in by_day.items():
        ReviewDaily.objects.create(
            day=day,
            team_id=team_id,
            account_id=account_id,
            platform="x",
            stage="post_publication",
            reviews=n,
            passed=passed,
            passed_minor=0,
            failed=n - passed,
        )


def test_p_chart_limits_match_hand_computed_values_for_unequal_subgroups(people):
    team = people.team_a.pk
    _rows(team, 1, {date(2026, 11, 2): (10, 9), date(2026, 11, 3): (40, 30), date(2026, 11, 4): (50, 10)})
    chart = p_chart(_filters({team}))
    p_bar = (9 + 30 + 10) / 100
    assert chart["center"] == round(p_bar, 6)
    for point, n, p in zip(chart["points"], (10, 40, 50), (0.9, 0.75, 0.2), strict=True):
        sigma = math.sqrt(p_bar * (1 - p_bar) / n)
        assert point["n"] == n and point["p"] == p
        assert point["ucl"] == round(min(1, p_bar + 3 * sigma), 6)
        assert point["lcl"] == round(max(0, p_bar - 3 * sigma), 6)
    assert [pt["out_of_control"] for pt in chart["points"]] == [False, True, True]


def test_pareto_is_largest_first_with_cumulative_percentages(people):
    team = people.team_a.pk
    for category, count in (("link", 2), ("disclosure", 5), ("timing", 3)):
        DefectDaily.objects.create(
            day=date(2026, 11, 2),
            team_id=team,
            account_id=1,
            platform="x",
            category=category,
            severity="minor",
            defects=count,
        )
    assert pareto(_filters({team}))["bars"] == [
        {"category": "disclosure", "count": 5, "cumulative_percent": 50.0},
        {"category": "timing", "count": 3, "cumulative_percent": 80.0},
        {"category": "link", "count": 2, "cumulative_percent": 100.0},
    ]


def test_weekly_series_sums_numerators_and_denominators(people):
    team = people.team_a.pk
    _rows(team, 1, {date(2026, 11, 2): (10, 5), date(2026, 11, 8): (10, 10), date(2026, 11, 9): (4, 1)})
    points = metric_series(METRICS["review_pass_rate"], _filters({team}, interval="week"))
    assert points == [
        {"period": "2026-11-02", "value": 75.0, "numerator": 15, "denominator": 20},
        {"period": "2026-11-09", "value": 25.0, "numerator": 1, "denominator": 4},
    ]


def test_api_answers_from_the_rollups_and_never_shows_another_team(api_for, people, posts, checklist):
    x, _, other = posts
    add_defect(add_review(x, checklist, people.qa, outcome="fail"), "disclosure", "major")
    add_review(other, checklist, people.outsider, outcome="pass", at=BASE + days(1))
    rollup_metrics()
    api = api_for(people.qa)
    query = "from=2026-11-01&to=2026-11-30&interval=day"
    series = api.get(f"/api/v1/metrics/series/?metric=reviews&{query}").json()
    assert series == {
        "metric": "reviews",
        "points": [{"period": "2026-11-02", "value": 1, "numerator": 1, "denominator": None}],
    }
    chart = api.get(f"/api/v1/metrics/p-chart/?{query}").json()
    assert [p["n"] for p in chart["points"]] == [1]
    assert api.get(f"/api/v1/metrics/pareto/?{query}").json()["bars"][0]["category"] == "disclosure"
    # Asking for the other team's id gives nothing, not its numbers.
    alien = api.get(f"/api/v1/metrics/series/?metric=reviews&team={people.team_b.pk}&{query}")
    assert alien.status_code == 400 or alien.json()["points"] == []


def test_api_refuses_bad_filters_by_field(api_for, people):
    api = api_for(people.qa)
    assert set(api.get("/api/v1/metrics/series/?metric=nope").json()) == {"metric"}
    assert set(api.get("/api/v1/metrics/series/?from=2026-12-01&to=2026-01-01").json()) == {"from"}
    assert set(api.get("/api/v1/metrics/p-chart/?colour=red").json()) == {"colour"}
    assert api.get("/api/v1/metrics/pareto/?from=yesterday").status_code == 400
    assert {d["key"] for d in api.get("/api/v1/metrics/definitions/").json()} == set(METRICS)


def test_anonymous_gets_nothing(client):
    assert client.get("/api/v1/metrics/series/").status_code in (401, 403)
    assert client.get("/metrics/").status_code == 302


def test_dashboard_page_and_csv(client_for, people, posts, checklist):
    add_review(posts[0], checklist, people.qa, outcome="pass")
    rollup_metrics()
    client = client_for(people.qa)
    query = "date_from=2026-11-01&date_to=2026-11-30&interval=day"
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/metrics/?{query}")
    assert page.status_code == 200
    assert b'id="metrics-data"' in page.content and b"chart-p" in page.content
    assert len(queries) < 30  # a fixed number: the charts read the rollups once each (see test_charts_quality)
    csv = client.get(f"/metrics/p-chart.csv?{query}")
    assert csv.status_code == 200 and csv.content.decode().splitlines()[0] == "period,n,p,ucl,lcl,out_of_control"
    assert client.get(f"/metrics/pie.csv?{query}").status_code == 404
    assert client.get("/metrics/?date_from=2026-12-01&date_to=2026-01-01").status_code == 400


def test_home_dashboard_shows_the_quality_panel_from_the_rollups(client_for, people, posts, checklist):
    from django.utils import timezone

    add_review(posts[0], checklist, people.qa, outcome="pass", at=timezone.now())
    add_review(posts[0], checklist, people.qa, outcome="fail", at=timezone.now())
    rollup_metrics()
    page = client_for(people.qa).get("/").content.decode()
    assert 'data-testid="metrics-panel"' in page and "50.0 % of 2" in page
    other = client_for(people.outsider).get("/").content.decode()
    assert "no reviews" in other


def test_dashboard_without_a_query_shows_the_weekly_default_it_uses(client_for, people):
    page = client_for(people.qa).get("/metrics/").content.decode()
    assert '<option value="week" selected>' in page

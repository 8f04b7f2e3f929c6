"""The quality-record charts and API: CAPA ageing, NCs by source, findings by clause and
classification, acknowledgements per SOP, the new metrics; from the rollups, scoped, bounded."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.definitions import METRICS
from metrics.selectors import Filters, metric_series, metric_total
from metrics.selectors_quality import ack_compliance, breakdown, capa_ageing, findings_matrix
from metrics.services import rollup_metrics

from .conftest import BASE, days
from .quality_fixtures import quality  # noqa: F401

D = BASE.date()  # Monday 2026-11-02


def _f(team_ids, interval="week", **extra) -> Filters:
    return Filters(
        team_ids=frozenset(team_ids), day_from=date(2026, 11, 1), day_to=date(2026, 11, 30), interval=interval, **extra
    )


def _history(people, quality):  # noqa: F811
    # CAPAs: one opened 40 days before the range and still open; one opened on the 2nd and closed
    # on the 12th (items on time); one opened on the 9th, with an item due the 10th, done the 20th.
    old = quality.capa(at=BASE - days(40))
    quality.item(old, due=D - days(30))  # overdue all month
    closed = quality.capa(at=BASE, closed_at=BASE + days(10))
    quality.item(closed, due=D + days(9), done_at=BASE + days(8))
    late = quality.capa(at=BASE + days(7))
    quality.item(late, due=D + days(8), done_at=BASE + days(18))
    quality.capa(team=people.team_b, at=BASE)  # another team's: never counted
    quality.nc(at=BASE, source="post_review_defect")
    quality.nc(at=BASE + days(1), source="post_review_defect", category="link")
    quality.nc(at=BASE + days(8), source="audit_finding", category="process")
    quality.nc(team=people.team_b, at=BASE, source="complaint")
    quality.finding(classification="major_nc", clause="7.5.3")
    quality.finding(classification="minor_nc", clause="7.5.3")
    quality.finding(classification="observation", clause="8.5.1")
    quality.finding(team=people.team_b, classification="major_nc", clause="9.2")
    doc, version = quality.document(number="SOP-SM-004")
    quality.ack(version, people.qa, done_at=BASE - days(1))
    quality.ack(version, people.lead, done_at=BASE + days(2))
    quality.ack(version, people.author)
    quality.lot(status="accepted")
    quality.lot(status="rejected")
    quality.lot(status="accepted", at=BASE + days(1))
    rollup_metrics()
    return doc


def test_capa_ageing_counts_the_open_capas_by_age_and_the_overdue_items_at_each_week_end(people, quality):  # noqa: F811
    _history(people, quality)
    points = {p["period"]: p for p in capa_ageing(_f({people.team_a.pk}))["points"]}
    # Week of the 2nd, read on Sunday the 8th: the old CAPA is 46 days old, the closed one 6
    # (the late one opens on the 9th).
    first = points["2026-11-02"]
    assert first["as_of"] == "2026-11-08"
    assert first["open"] == {"0-30": 1, "31-60": 1, "61-90": 0, "over 90": 0}
    assert first["overdue_items"] == 1
    # Week of the 9th (read the 15th): the second CAPA closed on the 12th; the late item is overdue.
    second = points["2026-11-09"]
    assert second["open"] == {"0-30": 1, "31-60": 1, "61-90": 0, "over 90": 0}
    assert second["overdue_items"] == 2
    # Week of the 16th (read the 22nd): the late item was done on the 20th.
    assert points["2026-11-16"]["overdue_items"] == 1
    # The range ends on Monday the 30th: the last week is read then.
    assert points["2026-11-30"]["as_of"] == "2026-11-30"
    assert points["2026-11-30"]["open"]["61-90"] == 1
    assert all(p["open_total"] == 0 for p in capa_ageing(_f(set()))["points"])


def test_the_quality_metrics_from_known_records(people, quality):  # noqa: F811
    _history(people, quality)
    f = _f({people.team_a.pk}, interval="month")
    assert metric_total(METRICS["nc_opened"], f)["value"] == 3
    assert metric_total(METRICS["capa_on_time_rate"], f) == {"value": 100.0, "numerator": 1, "denominator": 1}
    assert metric_total(METRICS["capa_mean_age_at_close"], f)["value"] == 10.0
    assert metric_total(METRICS["ack_on_time_rate"], f) == {"value": 33.3333, "numerator": 1, "denominator": 3}
    assert metric_total(METRICS["lot_acceptance_rate"], f) == {"value": 66.6667, "numerator": 2, "denominator": 3}
    assert metric_total(METRICS["findings"], f)["value"] == 3
    assert metric_total(METRICS["findings"], _f({people.team_a.pk}, clause="7.5.3"))["value"] == 2
    assert metric_total(METRICS["findings"], _f({people.team_a.pk}, classification="major_nc"))["value"] == 1
    assert metric_total(METRICS["nc_opened"], _f({people.team_a.pk}, source="audit_finding"))["value"] == 1
    assert metric_total(METRICS["nc_opened"], _f({people.team_a.pk}, category="link"))["value"] == 1
    assert metric_series(METRICS["nc_opened"], _f({people.team_b.pk}))[0]["numerator"] == 1


def test_breakdowns_findings_and_acks_per_sop(people, quality):  # noqa: F811
    doc = _history(people, quality)
    team = {people.team_a.pk}
    by_source = breakdown(METRICS["nc_opened"], _f(team), "source")
    assert [(g["key"], g["numerator"]) for g in by_source["groups"]] == [
        ("post_review_defect", 2),
        ("audit_finding", 1),
    ]
    assert by_source["groups"][0]["label"] == "Post review defect"
    assert by_source["groups"][0]["points"] == [
        {"period": "2026-11-02", "value": 2, "numerator": 2, "denominator": None}
    ]
    matrix = findings_matrix(_f(team))
    assert matrix["rows"][0] == {
        "clause": "7.5.3",
        "counts": {"major_nc": 1, "minor_nc": 1, "observation": 0, "ofi": 0},
        "total": 2,
    }
    acks = ack_compliance(_f(team), user=people.qa)["rows"]
    assert acks == [
        {
            "document_id": doc.pk,
            "label": "SOP-SM-004 Posting",
            "due": 3,
            "on_time": 1,
            "late": 1,
            "outstanding": 1,
            "on_time_percent": 33.3,
        }
    ]
    # The outsider asking for team A's rows gets team B's (their own) only.
    assert ack_compliance(_f({people.team_b.pk}), user=people.outsider)["rows"] == []


def test_api_breakdown_and_ageing_are_scoped_and_refuse_bad_input(api_for, people, quality):  # noqa: F811
    _history(people, quality)
    api = api_for(people.qa)
    q = "from=2026-11-01&to=2026-11-30&interval=week"
    found = api.get(f"/api/v1/metrics/breakdown/?metric=findings&by=clause&{q}").json()
    assert [(g["key"], g["numerator"]) for g in found["groups"]] == [("7.5.3", 2), ("8.5.1", 1)]
    acks = api.get(f"/api/v1/metrics/breakdown/?metric=ack_on_time_rate&by=document&{q}").json()
    assert acks["groups"][0]["label"] == "SOP-SM-004 Posting" and acks["groups"][0]["value"] == 33.3333
    ageing = api.get(f"/api/v1/metrics/capa-ageing/?{q}").json()
    # The range starts on Sunday the 1st: its week (from the 26th) is read that day.
    assert [p["open_total"] for p in ageing["points"][:2]] == [1, 2]
    outsider = api_for(people.outsider)
    theirs = outsider.get(f"/api/v1/metrics/breakdown/?metric=findings&by=clause&{q}").json()
    assert [g["key"] for g in theirs["groups"]] == ["9.2"]
    alien = outsider.get(f"/api/v1/metrics/capa-ageing/?team={people.team_a.pk}&{q}")
    assert alien.status_code == 400 or alien.json()["points"][0]["open_total"] == 0
    assert set(api.get(f"/api/v1/metrics/breakdown/?metric=findings&{q}").json()) == {"by"}
    assert set(api.get(f"/api/v1/metrics/breakdown/?metric=reviews&by=clause&{q}").json()) == {"by"}
    assert set(api.get(f"/api/v1/metrics/breakdown/?metric=findings&by=clause&clause=a;b&{q}").json()) == {"clause"}
    assert set(api.get(f"/api/v1/metrics/capa-ageing/?by=clause&{q}").json()) == {"by"}


def test_dashboard_shows_the_quality_charts_with_tables_and_csvs_in_bounded_queries(client_for, people, quality):  # noqa: F811
    client = client_for(people.qa)
    query = "date_from=2026-11-01&date_to=2026-11-30&interval=day"
    counts = []
    for size in (1, 4):
        for n in range(size):
            capa = quality.capa(at=BASE + days(n))
            quality.item(capa, due=D + days(n))
            quality.nc(at=BASE + days(n), source=["complaint", "other"][n % 2])
            quality.finding(clause=f"8.{n}")
            quality.ack(quality.document()[1], people.qa, due=BASE + days(n))
        rollup_metrics()
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/metrics/?{query}")
        assert page.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[1] < 30
    html = page.content.decode()
    for testid in ("chart-ageing", "table-ageing", "chart-ncsource", "chart-findings", "chart-acks", "table-acks"):
        assert f'data-testid="{testid}"' in html
    assert "js/metrics_quality.js" in html and "<script>" not in html.split("metrics-data")[0][-200:]
    expected = {
        "capa-ageing": "period,as_of,open 0-30 days,open 31-60 days,open 61-90 days,open over 90 days,"
        "open,overdue_items",
        "nc-by-source": "period,source,opened",
        "findings": "clause,Major nonconformity,Minor nonconformity,Observation,Opportunity for improvement,total",
        "acks": "document,due,on_time,late,outstanding,on_time_percent",
    }
    for chart, header in expected.items():
        csv = client.get(f"/metrics/{chart}.csv?{query}")
        assert csv.status_code == 200 and csv.content.decode().splitlines()[0] == header
    acks_csv = client.get(f"/metrics/acks.csv?{query}").content.decode().splitlines()
    assert len(acks_csv) == 1 + 5


def test_a_quality_metric_can_be_an_objective(people, quality):  # noqa: F811
    from decimal import Decimal

    from metrics.models import Objective
    from metrics.objectives import MET, NOT_MET, objective_statuses

    _history(people, quality)
    made = [
        Objective.objects.create(
            team=people.team_a,
            name=name,
            metric=metric,
            comparator="gte",
            target=Decimal(target),
            period="month",
            owner=people.qa,
            created_by=people.qa,
            platform=platform,  # acknowledgements have no platform: it narrows nothing there
        )
        for name, metric, target, platform in (
            ("acks", "ack_on_time_rate", 90, "x"),
            ("lots", "lot_acceptance_rate", 60, ""),
        )
    ]
    statuses = objective_statuses(made, today=date(2026, 12, 15), count=2)
    acks, lots = (statuses[o.pk][1] for o in made)  # November
    assert (acks.value, acks.status) == (33.3333, NOT_MET)
    assert (lots.value, lots.status) == (66.6667, MET)


STATES = st.lists(
    st.tuples(st.integers(-120, 40), st.integers(0, 150), st.integers(0, 60), st.integers(1, 3)), max_size=12
)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=STATES, interval=st.sampled_from(["day", "week", "month"]))
def test_capa_ageing_equals_its_definition_read_day_by_day(people, rows, interval):
    """Open at T: opened <= T < ended, in the bucket of T - opened; overdue at T: created <= T,
    due < T, resolved > T. The difference arrays must agree with that, read naively."""
    from metrics.models import ActionItemState, CapaState
    from metrics.models_quality import OPEN_END
    from metrics.selectors_quality import AGE_BUCKETS, period_ends

    CapaState.objects.all().delete()
    ActionItemState.objects.all().delete()
    team = people.team_a.pk
    start = date(2026, 11, 1)
    states, items = {}, {}  # summed by key, as the rollup's GROUP BY stores them
    for opened, length, late, count in rows:
        day = start + days(opened)
        end = OPEN_END if length > 120 else day + days(length)
        states[(day, end)] = states.get((day, end), 0) + count
        due, resolved = day + days(late % 30), OPEN_END if late > 45 else day + days(late)
        items[(day, due, resolved)] = items.get((day, due, resolved), 0) + count
    for (day, end), count in states.items():
        CapaState.objects.create(day=day, team_id=team, end_day=end, capas=count)
    for (day, due, resolved), count in items.items():
        ActionItemState.objects.create(
            day=day, team_id=team, created_day=day, due_day=due, resolved_day=resolved, items=count
        )
    f = _f({team}, interval=interval)
    got = capa_ageing(f)["points"]
    for point, (_, at) in zip(got, period_ends(f), strict=True):
        expected = {name: 0 for name, _, _ in AGE_BUCKETS}
        for (day, end), count in states.items():
            if day <= at < end:
                age = (at - day).days
                name = next(b for b, lo, hi in AGE_BUCKETS if age >= lo and (hi is None or age <= hi))
                expected[name] += count
        overdue = sum(
            c for (created, due, resolved), c in items.items() if created <= at and due < at and resolved > at
        )
        assert (point["open"], point["overdue_items"]) == (expected, overdue)

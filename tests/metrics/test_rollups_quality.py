"""Rollups of the quality records: known data gives known rows, in each record's own team;
incremental runs equal a full rebuild; a late commit is counted; triggers queue every change."""

import psycopg
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.models import Finding
from capa.models import ActionItem, CorrectiveAction, Nonconformity
from docs_control.models import Acknowledgement
from metrics.models import (
    AckDaily,
    ActionItemState,
    CapaDaily,
    CapaState,
    FindingDaily,
    LotDaily,
    NcDaily,
    RollupDirty,
)
from metrics.models_quality import OPEN_END
from metrics.services import rollup_metrics
from post_reviews.models import SamplingLot

from .conftest import BASE, days
from .quality_fixtures import quality  # noqa: F401

D = BASE.date()  # 2026-11-02
TABLES = {
    LotDaily: ("day", "team_id", "account_id", "platform", "accepted", "rejected"),
    NcDaily: ("day", "team_id", "source", "category", "severity", "opened", "closed"),
    CapaDaily: ("day", "team_id", "opened", "closed", "closed_on_time", "cancelled", "age_days_at_close"),
    CapaState: ("day", "team_id", "end_day", "capas"),
    ActionItemState: ("day", "team_id", "created_day", "due_day", "resolved_day", "items"),
    AckDaily: ("day", "team_id", "document_id", "due", "on_time", "late", "outstanding"),
    FindingDaily: ("day", "team_id", "classification", "clause", "findings"),
}


def snapshot() -> dict:
    return {model.__name__: sorted(model.objects.values_list(*cols)) for model, cols in TABLES.items()}


def test_known_records_give_known_rows_in_their_own_teams(people, quality, accounts):  # noqa: F811
    a, b = people.team_a.pk, people.team_b.pk
    # Lots: two accepted and one rejected on the X account, one open (not counted), one in team B.
    for status in ("accepted", "accepted", "rejected", "open"):
        quality.lot(account=accounts.x, status=status)
    quality.lot(team=people.team_b, account=accounts.other_x, status="rejected", at=BASE + days(1))
    # CAPAs: one closed after 10 days with an item done on time, one closed late (item done after
    # its due day), one cancelled, one still open; an NC closed with the first one.
    on_time = quality.capa(at=BASE, closed_at=BASE + days(10))
    quality.item(on_time, due=D + days(5), done_at=BASE + days(5))
    late = quality.capa(at=BASE, closed_at=BASE + days(10))
    quality.item(late, due=D + days(2), done_at=BASE + days(3))
    cancelled = quality.capa(at=BASE + days(1), cancelled_at=BASE + days(4))
    quality.item(cancelled, due=D + days(2))
    still_open = quality.capa(at=BASE + days(1))
    quality.item(still_open, due=D + days(3))
    quality.nc(at=BASE, capa=on_time, source="post_review_defect")
    quality.nc(at=BASE, closed_at=BASE + days(2), category="link")
    quality.nc(team=people.team_b, at=BASE)
    # Acknowledgements of one SOP: on time, late, outstanding.
    doc, version = quality.document()
    quality.ack(version, people.qa, done_at=BASE - days(1))
    quality.ack(version, people.lead, done_at=BASE + days(1))
    quality.ack(version, people.author)
    # Findings.
    quality.finding(classification="major_nc", clause="7.5.3")
    quality.finding(classification="major_nc", clause="7.5.3")
    quality.finding(classification="observation", clause="", at=BASE + days(1))
    quality.finding(team=people.team_b, classification="ofi", clause="9.1")

    rollup_metrics()

    rows = snapshot()
    assert rows["LotDaily"] == [
        (D, a, accounts.x.pk, "x", 2, 1),
        (D + days(1), b, accounts.other_x.pk, "x", 0, 1),
    ]
    assert rows["NcDaily"] == sorted(
        [
            (D, a, "complaint", "link", "major", 1, 0),
            (D, a, "post_review_defect", "disclosure", "major", 1, 0),
            (D, b, "complaint", "disclosure", "major", 1, 0),
            (D + days(2), a, "complaint", "link", "major", 0, 1),
            (D + days(10), a, "post_review_defect", "disclosure", "major", 0, 1),
        ]
    )
    assert rows["CapaDaily"] == [
        (D, a, 2, 0, 0, 0, 0),
        (D + days(1), a, 2, 0, 0, 0, 0),
        (D + days(4), a, 0, 0, 0, 1, 0),
        (D + days(10), a, 0, 2, 1, 0, 20),
    ]
    assert rows["CapaState"] == [
        (D, a, D + days(10), 2),
        (D + days(1), a, D + days(4), 1),
        (D + days(1), a, OPEN_END, 1),
    ]
    assert rows["ActionItemState"] == [
        (D, a, D, D + days(2), D + days(3), 1),
        (D, a, D, D + days(5), D + days(5), 1),
        (D + days(1), a, D + days(1), D + days(2), D + days(4), 1),  # owed until its CAPA was cancelled
        (D + days(1), a, D + days(1), D + days(3), OPEN_END, 1),
    ]
    assert rows["AckDaily"] == [(D, a, doc.pk, 3, 1, 1, 1)]
    assert rows["FindingDaily"] == sorted(
        [
            (D, a, "major_nc", "7.5.3", 2),
            (D, b, "ofi", "9.1", 1),
            (D + days(1), a, "observation", "", 1),
        ]
    )
    assert RollupDirty.objects.count() == 0
    # A re-run changes nothing; a full rebuild gives the same rows.
    assert rollup_metrics().keys == 0
    rollup_metrics(full=True)
    assert snapshot() == rows


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "nc",
                "nc_no_action",
                "capa",
                "close_capa",
                "cancel_capa",
                "move_capa",
                "item",
                "item_done",
                "item_redue",
                "delete_item",
                "ack",
                "ack_done",
                "finding",
                "reclassify",
                "lot",
                "decide_lot",
                "delete_nc",
                "run",
            ]
        ),
        st.integers(0, 1),  # which team
        st.integers(0, 9),  # which day / which row
    ),
    max_size=25,
)


def _pick(model, n):
    rows = list(model.objects.order_by("id"))
    return rows[n % len(rows)] if rows else None


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_incremental_runs_equal_a_full_rebuild(people, quality, ops):  # noqa: F811
    teams = (people.team_a, people.team_b)
    _, version = quality.document()
    users = [people.qa, people.lead, people.author, people.reviewer, people.viewer, people.auditor]
    for op, which, n in ops:
        team, at = teams[which], BASE + days(n)
        capa = _pick(CorrectiveAction, n)
        if op == "nc":
            quality.nc(team=team, at=at, capa=capa if capa and capa.team_id == team.pk and n % 2 else None)
        elif op == "nc_no_action":
            quality.nc(team=team, at=at, closed_at=at + days(n % 3))
        elif op == "capa":
            quality.capa(team=team, at=at)
        elif op == "close_capa" and capa and capa.status == "implementing":
            CorrectiveAction.objects.filter(pk=capa.pk).update(status="closed", closed_at=capa.opened_at + days(n))
            Nonconformity.objects.filter(corrective_action=capa).update(status="closed")
        elif op == "cancel_capa" and capa and capa.status == "implementing":
            CorrectiveAction.objects.filter(pk=capa.pk).update(status="cancelled", cancelled_at=at)
        elif op == "move_capa" and capa:
            CorrectiveAction.objects.filter(pk=capa.pk).update(opened_at=at)
        elif op == "item" and capa:
            quality.item(capa, due=(at + days(n % 4)).date(), created_at=at)
        elif op == "item_done" and (item := _pick(ActionItem, n)):
            ActionItem.objects.filter(pk=item.pk).update(done_at=at, done_by=people.qa)
        elif op == "item_redue" and (item := _pick(ActionItem, n)):
            ActionItem.objects.filter(pk=item.pk).update(due_date=at.date())
        elif op == "delete_item" and (item := _pick(ActionItem, n)):
            item.delete()
        elif op == "ack" and not Acknowledgement.objects.filter(user=users[n % 6]).exists():
            quality.ack(version, users[n % 6], due=at)
        elif op == "ack_done" and (ack := _pick(Acknowledgement, n)):
            Acknowledgement.objects.filter(pk=ack.pk).update(acknowledged_at=at)
        elif op == "finding":
            quality.finding(team=team, at=at, clause=["7.5.3", "8.5.1", ""][n % 3])
        elif op == "reclassify" and (finding := _pick(Finding, n)):
            Finding.objects.filter(pk=finding.pk).update(classification="observation", created_at=at)
        elif op == "lot":
            quality.lot(team=team, at=at, status=["open", "accepted", "rejected"][n % 3])
        elif op == "decide_lot" and (lot := _pick(SamplingLot, n)):
            SamplingLot.objects.filter(pk=lot.pk).update(status="rejected", decided_at=at)
        elif op == "delete_nc" and (nc := _pick(Nonconformity, n)):
            nc.delete()
        elif op == "run":
            rollup_metrics()
    rollup_metrics()
    incremental = snapshot()
    rollup_metrics(full=True)
    assert snapshot() == incremental


def _dsn() -> dict:
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k in ("host", "port", "user", "dbname", "password") and v}


@pytest.mark.django_db(transaction=True)
def test_a_capa_closed_in_a_transaction_committed_after_the_run_started_is_counted(people, quality):  # noqa: F811
    capa = quality.capa(at=BASE)
    quality.nc(at=BASE, capa=capa)
    rollup_metrics()
    assert CapaState.objects.get().end_day == OPEN_END

    # Another connection closes the CAPA and its NC and holds its transaction open across a run.
    with psycopg.connect(**_dsn()) as other:
        closed_at = BASE + days(3)
        other.execute(
            "UPDATE capa_correctiveaction SET status = 'closed', closed_at = %s WHERE id = %s", [closed_at, capa.pk]
        )
        other.execute("UPDATE capa_nonconformity SET status = 'closed' WHERE corrective_action_id = %s", [capa.pk])
        rollup_metrics()  # cannot see the closing
        assert CapaState.objects.get().end_day == OPEN_END
        other.commit()
    rollup_metrics()
    assert CapaState.objects.get().end_day == D + days(3)
    assert CapaDaily.objects.get(day=D + days(3)).closed == 1
    assert NcDaily.objects.get(day=D + days(3)).closed == 1


def test_every_quality_table_queues_its_changes(people, quality):  # noqa: F811
    """Each trigger queues (team, moment): inserts, updates (old and new moments) and deletes."""
    capa = quality.capa(at=BASE)
    item = quality.item(capa, due=D + days(1))
    _, version = quality.document()
    ack = quality.ack(version, people.qa)
    finding = quality.finding()
    lot = quality.lot(status="open")  # undecided: nothing to count, nothing queued
    queued = set(RollupDirty.objects.values_list("team_id", "at"))
    assert queued == {(people.team_a.pk, BASE)}
    RollupDirty.objects.all().delete()
    CorrectiveAction.objects.filter(pk=capa.pk).update(opened_at=BASE + days(1))
    ActionItem.objects.filter(pk=item.pk).update(done_at=BASE + days(2), done_by=people.qa)
    Acknowledgement.objects.filter(pk=ack.pk).update(due_at=BASE + days(4))
    Finding.objects.filter(pk=finding.pk).update(created_at=BASE + days(5))
    SamplingLot.objects.filter(pk=lot.pk).update(status="accepted", decided_at=BASE + days(6))
    queued = {at for _, at in RollupDirty.objects.values_list("team_id", "at")}
    assert queued == {BASE, BASE + days(1), BASE + days(4), BASE + days(5), BASE + days(6)}

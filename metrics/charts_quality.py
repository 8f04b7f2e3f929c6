"""The dashboard's quality-record charts: their data (from the rollups) and their CSV rows.

CAPA ageing with overdue action items, nonconformities opened per period by source, audit
findings by ISO 9001 clause and classification, and acknowledgement compliance per SOP.
"""

from . import selectors_quality
from .definitions import METRICS
from .selectors import Filters

CHARTS = ("capa-ageing", "nc-by-source", "findings", "acks")


def _aligned(breakdown: dict) -> dict:
    """A breakdown's groups on one axis of periods (zeros where a group has none)."""
    periods = sorted({p["period"] for g in breakdown["groups"] for p in g["points"]})
    series = []
    for g in breakdown["groups"]:
        by_period = {p["period"]: p["numerator"] for p in g["points"]}
        series.append(
            {
                "key": g["key"],
                "label": g["label"],
                "total": g["numerator"],
                "values": [by_period.get(p, 0) for p in periods],
            }
        )
    rows = [{"period": p, "values": [s["values"][i] for s in series]} for i, p in enumerate(periods)]
    return {"periods": periods, "series": series, "rows": rows}


def quality_data(f: Filters, *, user) -> dict:
    return {
        "capa_ageing": selectors_quality.capa_ageing(f),
        "nc_by_source": _aligned(selectors_quality.breakdown(METRICS["nc_opened"], f, "source")),
        "findings": selectors_quality.findings_matrix(f),
        "acks": selectors_quality.ack_compliance(f, user=user),
    }


def csv_rows(chart: str, data: dict) -> tuple[list, list]:
    if chart == "capa-ageing":
        ageing = data["capa_ageing"]
        header = ["period", "as_of", *(f"open {b} days" for b in ageing["buckets"]), "open", "overdue_items"]
        rows = [
            [p["period"], p["as_of"], *(p["open"][b] for b in ageing["buckets"]), p["open_total"], p["overdue_items"]]
            for p in ageing["points"]
        ]
    elif chart == "nc-by-source":
        ncs = data["nc_by_source"]
        header = ["period", "source", "opened"]
        rows = [[r["period"], s["label"], r["values"][i]] for r in ncs["rows"] for i, s in enumerate(ncs["series"])]
    elif chart == "findings":
        findings = data["findings"]
        header = ["clause", *(c["label"] for c in findings["classifications"]), "total"]
        rows = [[r["clause"], *r["counts"].values(), r["total"]] for r in findings["rows"]]
    else:
        header = ["document", "due", "on_time", "late", "outstanding", "on_time_percent"]
        rows = [[r["label"], *(r[h] for h in header[1:])] for r in data["acks"]["rows"]]
    return header, rows

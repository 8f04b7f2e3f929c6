"""The KPI dashboard: charts from the rollups, each with its table and a CSV download."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from post_reviews.selectors import defect_category_choices

from . import selectors
from .definitions import METRICS
from .forms import MetricsFilterForm

CHARTS = ("p-chart", "pareto", "series")


def _form(request) -> MetricsFilterForm:
    return MetricsFilterForm(request.GET or {}, user=request.user)


def _data(form: MetricsFilterForm) -> dict:
    f = form.filters()
    metric = METRICS[form.cleaned_data["metric"]]
    labels = dict(defect_category_choices())
    pareto = selectors.pareto(f)
    for bar in pareto["bars"]:
        bar["label"] = labels.get(bar["category"], bar["category"])
    return {
        "metric": {"key": metric.key, "label": metric.label, "unit": metric.unit},
        "p_chart": selectors.p_chart(f),
        "pareto": pareto,
        "series": selectors.metric_series(metric, f),
    }


@require_GET
def dashboard(request):
    form = _form(request)
    if not form.is_valid():
        return render(request, "metrics/dashboard.html", {"form": form, "data": None}, status=400)
    return render(
        request, "metrics/dashboard.html", {"form": form, "data": _data(form), "query": request.GET.urlencode()}
    )


def _cell(value) -> str:
    # Spreadsheet formula injection (OWASP): a cell must not start with = + - @, tab or CR.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
def chart_csv(request, chart: str):
    if chart not in CHARTS:
        raise Http404("No such chart.")
    form = _form(request)
    if not form.is_valid():
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()), status=400)
    data = _data(form)
    if chart == "p-chart":
        header = ["period", "n", "p", "ucl", "lcl", "out_of_control"]
        rows = [[p[h] for h in header] for p in data["p_chart"]["points"]]
    elif chart == "pareto":
        header = ["category", "count", "cumulative_percent"]
        rows = [[b["label"], b["count"], b["cumulative_percent"]] for b in data["pareto"]["bars"]]
    else:
        header = ["period", "value", "numerator", "denominator"]
        rows = [[p[h] for h in header] for p in data["series"]]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chart}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return response

"""The KPI dashboard: charts from the rollups, each with its table and a CSV download."""

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.timezone import localdate
from django.views.decorators.http import require_GET, require_http_methods

from accounts.selectors import team_list_for
from core.csvsafe import SafeWriter
from core.exceptions import PermissionDenied
from core.views.helpers import domain_errors, run_service
from post_reviews.selectors import defect_category_choices

from . import charts_quality, selectors, services
from .definitions import METRICS
from .forms import MetricsFilterForm, ObjectiveForm
from .objectives import objective_statuses
from .permissions import can_manage_objectives

CHARTS = ("p-chart", "pareto", "series", "engagement", *charts_quality.CHARTS)


def _form(request) -> MetricsFilterForm:
    # An empty query shows the defaults the figures use (weekly), not the first choice of each list.
    return MetricsFilterForm(request.GET or {"interval": "week"}, user=request.user)


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
        "engagement": selectors.engagement_by_account(f),
        **charts_quality.quality_data(f, user=form.user),
    }


@require_GET
def dashboard(request):
    form = _form(request)
    if not form.is_valid():
        return render(request, "metrics/dashboard.html", {"form": form, "data": None}, status=400)
    teams = form.filters().team_ids
    objectives = list(selectors.objective_list_for(request.user).filter(team_id__in=teams))
    statuses = objective_statuses(objectives, today=localdate(), count=1)
    for objective in objectives:
        objective.current = statuses[objective.pk][0]
        metric = METRICS.get(objective.metric)
        objective.unit = f" {metric.unit}" if metric and metric.unit else ""
    context = {
        "form": form,
        "data": _data(form),
        "query": request.GET.urlencode(),
        "objectives": objectives,
        "can_set_objectives": any(can_manage_objectives(request.user, t) for t in teams),
    }
    return render(request, "metrics/dashboard.html", context)


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
    elif chart == "engagement":
        header = ["account", "period", "posts_published", "impressions", "engagements", "engagement_rate"]
        rows = [[r[h] for h in header] for r in data["engagement"]["rows"]]
    elif chart in charts_quality.CHARTS:
        header, rows = charts_quality.csv_rows(chart, data)
    else:
        header = ["period", "value", "numerator", "denominator"]
        rows = [[p[h] for h in header] for p in data["series"]]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chart}.csv"'
    writer = SafeWriter(response)  # formula-safe (OWASP), the project's one CSV writer
    writer.writerow(header)
    writer.writerows(rows)
    return response


# --- quality objectives -----------------------------------------------------------------------


@require_GET
@domain_errors
def objective_detail(request, objective_id: int):
    objective = selectors.objective_get_for(request.user, objective_id=objective_id)
    statuses = objective_statuses([objective], today=localdate(), count=12)[objective.pk]
    return render(
        request,
        "metrics/objective_detail.html",
        {"objective": objective, "periods": statuses, "metric": METRICS.get(objective.metric)},
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def objective_new(request):
    teams = [t for t in team_list_for(request.user) if can_manage_objectives(request.user, t.pk)]
    if not teams:
        raise PermissionDenied("Your role can't set quality objectives.")
    form = ObjectiveForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        team_id = data.pop("team")
        outcome = run_service(
            request,
            lambda: services.objective_create(team_id=team_id, data=data, by=request.user),
            form=form,
            success="Objective set.",
        )
        if outcome:
            return HttpResponseRedirect(outcome.value.get_absolute_url())
    return render(request, "metrics/objective_form.html", {"form": form}, status=400 if form.is_bound else 200)

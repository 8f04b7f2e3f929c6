"""Metrics API: series, p-chart, Pareto and the definitions, all from the rollups."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from metrics import selectors
from metrics.definitions import METRICS
from metrics.forms import MetricsFilterForm

PARAMS = [
    OpenApiParameter("metric", str, enum=list(METRICS), description="A key from /metrics/definitions/."),
    OpenApiParameter("team", int),
    OpenApiParameter("platform", str),
    OpenApiParameter("account", int),
    OpenApiParameter("category", str, description="Defect category (defect metrics and the Pareto)."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day; default 90 days before `to`."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day; default today."),
    OpenApiParameter("interval", str, enum=list(selectors.INTERVALS)),
]
_POINT = inline_serializer(
    "MetricPoint",
    many=True,
    fields={
        "period": serializers.DateField(),
        "value": serializers.FloatField(allow_null=True),
        "numerator": serializers.IntegerField(),
        "denominator": serializers.IntegerField(allow_null=True),
    },
)


class MetricsViewSet(viewsets.ViewSet):
    """Quality figures (ISO 9001 9.1) of your teams, read from the rollups."""

    def _form(self, request) -> MetricsFilterForm:
        allowed = {"metric", "team", "platform", "account", "category", "from", "to", "interval", "format"}
        unknown = set(request.query_params) - allowed
        if unknown:
            raise ValidationError({p: "Unknown query parameter." for p in sorted(unknown)})
        data = {k: v for k, v in request.query_params.items() if k in allowed}
        data["date_from"], data["date_to"] = data.pop("from", ""), data.pop("to", "")
        form = MetricsFilterForm(data, user=request.user)
        if not form.is_valid():
            errors = {{"date_from": "from", "date_to": "to"}.get(k, k): v for k, v in form.errors.items()}
            raise ValidationError(errors)
        return form

    @extend_schema(
        parameters=PARAMS,
        responses=inline_serializer("MetricSeries", {"metric": serializers.CharField(), "points": _POINT}),
    )
    @action(detail=False, methods=["get"])
    def series(self, request):
        form = self._form(request)
        metric = METRICS[form.cleaned_data["metric"]]
        return Response({"metric": metric.key, "points": selectors.metric_series(metric, form.filters())})

    @extend_schema(
        parameters=PARAMS,
        responses=inline_serializer(
            "PChart",
            {
                "center": serializers.FloatField(allow_null=True),
                "points": inline_serializer(
                    "PChartPoint",
                    {
                        "period": serializers.DateField(),
                        "n": serializers.IntegerField(),
                        "p": serializers.FloatField(),
                        "ucl": serializers.FloatField(),
                        "lcl": serializers.FloatField(),
                        "out_of_control": serializers.BooleanField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    @action(detail=False, methods=["get"], url_path="p-chart")
    def p_chart(self, request):
        return Response(selectors.p_chart(self._form(request).filters()))

    @extend_schema(
        parameters=PARAMS,
        responses=inline_serializer(
            "Pareto",
            {
                "bars": inline_serializer(
                    "ParetoBar",
                    {
                        "category": serializers.CharField(),
                        "count": serializers.IntegerField(),
                        "cumulative_percent": serializers.FloatField(),
                    },
                    many=True,
                )
            },
        ),
    )
    @action(detail=False, methods=["get"])
    def pareto(self, request):
        return Response(selectors.pareto(self._form(request).filters()))

    @extend_schema(
        responses=inline_serializer(
            "MetricDefinition",
            {
                "key": serializers.CharField(),
                "label": serializers.CharField(),
                "unit": serializers.CharField(),
                "higher_is_better": serializers.BooleanField(),
                "description": serializers.CharField(),
            },
            many=True,
        )
    )
    @action(detail=False, methods=["get"])
    def definitions(self, request):
        return Response(
            [
                {
                    "key": m.key,
                    "label": m.label,
                    "unit": m.unit,
                    "higher_is_better": m.higher_is_better,
                    "description": m.description,
                }
                for m in METRICS.values()
            ]
        )

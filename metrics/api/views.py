"""Metrics API: series, p-chart, Pareto, breakdowns, CAPA ageing and the definitions, all from the
rollups."""

from django.utils.timezone import localdate
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.base import ScopedViewSetMixin, valid
from metrics import selectors, selectors_quality, services
from metrics.api.serializers import ObjectiveInputSerializer, ObjectivePatchSerializer, ObjectiveSerializer
from metrics.definitions import BREAKDOWNS, METRICS
from metrics.forms import MetricsFilterForm
from metrics.models import Objective
from metrics.objectives import objective_statuses

PARAMS = [
    OpenApiParameter("metric", str, enum=list(METRICS), description="A key from /metrics/definitions/."),
    OpenApiParameter("team", int),
    OpenApiParameter("platform", str),
    OpenApiParameter("account", int),
    OpenApiParameter("category", str, description="Defect category (defect metrics and the Pareto)."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day; default 90 days before `to`."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day; default today."),
    OpenApiParameter("interval", str, enum=list(selectors.INTERVALS)),
    OpenApiParameter("source", str, description="NC source kind (NC metrics)."),
    OpenApiParameter("classification", str, description="Audit finding classification (`findings`)."),
    OpenApiParameter("clause", str, description="ISO 9001 clause, e.g. 8.5.1 (`findings`)."),
]
BY = OpenApiParameter(
    "by",
    str,
    enum=list(BREAKDOWNS),
    required=True,
    description="What to break the metric down by; the metric's rollup must have it "
    "(source, category, severity: NC metrics; classification, clause: findings; document: acknowledgements).",
)
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

    def _form(self, request, *extra: str) -> MetricsFilterForm:
        allowed = {"metric", "team", "platform", "account", "category", "from", "to", "interval", "format"}
        allowed |= {"source", "classification", "clause", *extra}
        unknown = set(request.query_params) - allowed
        if unknown:
            raise ValidationError({p: "Unknown query parameter." for p in sorted(unknown)})
        data = {k: v for k, v in request.query_params.items() if k in allowed and k not in extra}
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
        parameters=[*PARAMS, BY],
        responses=inline_serializer(
            "MetricBreakdown",
            {
                "metric": serializers.CharField(),
                "by": serializers.CharField(),
                "groups": inline_serializer(
                    "MetricBreakdownGroup",
                    {
                        "key": serializers.CharField(),
                        "label": serializers.CharField(),
                        "value": serializers.FloatField(allow_null=True),
                        "numerator": serializers.IntegerField(),
                        "denominator": serializers.IntegerField(allow_null=True),
                        "points": _POINT,
                    },
                    many=True,
                ),
            },
        ),
    )
    @action(detail=False, methods=["get"])
    def breakdown(self, request):
        """The metric per source, clause, classification, document (…), each with its points."""
        form = self._form(request, "by")
        by = request.query_params.get("by", "")
        if by not in BREAKDOWNS:
            raise ValidationError({"by": f"Choose one of: {', '.join(BREAKDOWNS)}."})
        metric = METRICS[form.cleaned_data["metric"]]
        try:
            return Response(selectors_quality.breakdown(metric, form.filters(), by, user=request.user))
        except selectors_quality.BreakdownNotAvailable as error:
            raise ValidationError({"by": str(error)}) from None

    @extend_schema(
        parameters=PARAMS,
        responses=inline_serializer(
            "CapaAgeing",
            {
                "buckets": serializers.ListField(child=serializers.CharField()),
                "points": inline_serializer(
                    "CapaAgeingPoint",
                    {
                        "period": serializers.DateField(),
                        "as_of": serializers.DateField(),
                        "open": serializers.DictField(child=serializers.IntegerField()),
                        "open_total": serializers.IntegerField(),
                        "overdue_items": serializers.IntegerField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    @action(detail=False, methods=["get"], url_path="capa-ageing")
    def capa_ageing(self, request):
        """Open CAPAs by age bucket (days since opened) and overdue action items, at each period's end."""
        return Response(selectors_quality.capa_ageing(self._form(request).filters()))

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


class ObjectiveViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Quality objectives (ISO 9001 6.2) of your teams, each with its status per period."""

    model = Objective
    serializer_class = ObjectiveSerializer
    filter_params = frozenset({"team"})

    def scoped_queryset(self, user):
        qs = selectors.objective_list_for(user)
        team = self.int_param("team")
        return qs.filter(team_id=team) if team else qs

    def get_object(self):
        return selectors.objective_get_for(self.request.user, objective_id=int(self.kwargs["pk"]))

    def get_serializer(self, *args, **kwargs):
        if args and isinstance(args[0], list):
            kwargs["context"] = {
                **self.get_serializer_context(),
                "statuses": objective_statuses(args[0], today=localdate()),
            }
        return super().get_serializer(*args, **kwargs)

    @extend_schema(request=ObjectiveInputSerializer, responses={201: ObjectiveSerializer})
    def create(self, request):
        data = dict(valid(ObjectiveInputSerializer, request))
        objective = services.objective_create(team_id=data.pop("team"), data=data, by=request.user)
        return Response(ObjectiveSerializer(objective).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectivePatchSerializer, responses={200: ObjectiveSerializer})
    def partial_update(self, request, pk=None):
        data = valid(ObjectivePatchSerializer, request)
        objective = services.objective_update(objective_id=int(pk), data=dict(data), by=request.user)
        return Response(ObjectiveSerializer(objective).data)

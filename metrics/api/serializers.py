from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrics.definitions import METRICS
from metrics.models import Comparator, Objective, Period
from metrics.objectives import STATUS_LABELS, objective_statuses


class PeriodStatusSerializer(serializers.Serializer):
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    value = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=list(STATUS_LABELS.items()))


class ObjectiveSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.printed_name", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Objective
        fields = [
            "id",
            "team",
            "name",
            "metric",
            "comparator",
            "target",
            "period",
            "owner",
            "owner_name",
            "platform",
            "account_id",
            "category",
            "active",
            "created_at",
            "status",
        ]
        read_only_fields = fields

    @extend_schema_field(PeriodStatusSerializer(many=True))
    def get_status(self, objective):
        # A list passes the statuses of its whole page in the context (two queries in all).
        statuses = self.context.get("statuses")
        if statuses is None or objective.pk not in statuses:
            statuses = objective_statuses([objective], today=timezone.localdate())
        return PeriodStatusSerializer(statuses[objective.pk], many=True).data


class ObjectiveInputSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    metric = serializers.ChoiceField(choices=list(METRICS))
    comparator = serializers.ChoiceField(choices=Comparator.choices)
    target = serializers.DecimalField(max_digits=12, decimal_places=3)
    period = serializers.ChoiceField(choices=Period.choices, default=Period.MONTH)
    owner = serializers.IntegerField()
    platform = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    account_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    category = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class ObjectivePatchSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    comparator = serializers.ChoiceField(choices=Comparator.choices, required=False)
    target = serializers.DecimalField(max_digits=12, decimal_places=3, required=False)
    period = serializers.ChoiceField(choices=Period.choices, required=False)
    owner = serializers.IntegerField(required=False)

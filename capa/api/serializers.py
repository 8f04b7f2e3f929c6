from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from capa.models import (
    ActionItem,
    ActionKind,
    Category,
    CauseCategory,
    CheckResult,
    Comparator,
    ContainmentAction,
    CorrectiveAction,
    Disposition,
    EffectivenessCheck,
    Nonconformity,
    Severity,
    SourceKind,
)
from capa.workflow import NCStatus, Status

_TEXT = {"max_length": 10_000}


# Status enums stay inline in the schema (wrapped in allOf): several apps have a `status` field with
# different choice sets, and drf-spectacular's global enum naming warns about that collision.
# ENUM_NAME_OVERRIDES in settings would be the other way.
@extend_schema_field({"allOf": [{"type": "string", "enum": list(Status.values)}], "readOnly": True})
class CapaStatusField(serializers.ReadOnlyField):
    pass


@extend_schema_field({"allOf": [{"type": "string", "enum": list(NCStatus.values)}], "readOnly": True})
class NCStatusField(serializers.ReadOnlyField):
    pass


class PasswordField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=256, trim_whitespace=False, style={"input_type": "password"}, **kwargs)


class ContainmentSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.printed_name", read_only=True)

    class Meta:
        model = ContainmentAction
        fields = ["id", "disposition", "description", "done_at", "recorded_at", "recorded_by"]
        read_only_fields = fields


class NonconformitySourceSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="app_label.model of the record that raised the NC")
    id = serializers.IntegerField()
    label = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="The source's page in the product")


class NonconformitySerializer(serializers.ModelSerializer):
    source_type = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    detected_by = serializers.CharField(source="detected_by.printed_name", read_only=True)
    status = NCStatusField()
    corrective_action_reference = serializers.CharField(
        source="corrective_action.reference", read_only=True, default=None
    )
    containments = ContainmentSerializer(many=True, read_only=True)

    class Meta:
        model = Nonconformity
        fields = [
            "id",
            "reference",
            "team",
            "source_kind",
            "source_type",
            "source_id",
            "source",
            "category",
            "severity",
            "title",
            "description",
            "status",
            "detected_at",
            "detected_by",
            "decision",
            "decision_justification",
            "decided_at",
            "corrective_action",
            "corrective_action_reference",
            "containments",
        ]
        read_only_fields = fields

    @extend_schema_field(NonconformitySourceSerializer(allow_null=True))
    def get_source(self, nc) -> dict | None:
        return nc.source_summary()

    def get_source_type(self, nc) -> str | None:
        return nc.source_type.natural_key()[0] + "." + nc.source_type.model if nc.source_type_id else None


class NonconformityCreateSerializer(serializers.Serializer):
    team = serializers.IntegerField(min_value=1)
    source_kind = serializers.ChoiceField(choices=[SourceKind.COMPLAINT, SourceKind.OTHER])
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    severity = serializers.ChoiceField(choices=Severity.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(**_TEXT)


class ContainmentCreateSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(choices=Disposition.choices, required=False, allow_blank=True, default="")
    description = serializers.CharField(**_TEXT)
    done_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    password = PasswordField(required=False, allow_blank=True, default="", help_text="Only for a concession.")


class NoActionSerializer(serializers.Serializer):
    justification = serializers.CharField(**_TEXT)
    password = PasswordField()


class OpenCapaSerializer(serializers.Serializer):
    owner = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    follows = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class LinkCapaSerializer(serializers.Serializer):
    capa = serializers.IntegerField(min_value=1)


class EffectivenessCheckSerializer(serializers.ModelSerializer):
    checked_by = serializers.CharField(source="checked_by.printed_name", read_only=True, default=None)

    class Meta:
        model = EffectivenessCheck
        fields = [
            "id",
            "criteria",
            "due_date",
            "metric_key",
            "metric_scope",
            "comparator",
            "threshold",
            "result",
            "measured_value",
            "evidence",
            "checked_at",
            "checked_by",
        ]
        read_only_fields = fields


class ActionItemSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.printed_name", read_only=True)
    done_by = serializers.CharField(source="done_by.printed_name", read_only=True, default=None)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "description",
            "action_type",
            "owner",
            "owner_name",
            "due_date",
            "done_at",
            "done_by",
            "done_note",
        ]
        read_only_fields = fields


class CapaSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.printed_name", read_only=True)
    status = CapaStatusField()
    nonconformities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    checks = EffectivenessCheckSerializer(many=True, read_only=True)
    five_whys = serializers.ListField(child=serializers.CharField(), read_only=True)
    fishbone = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "reference",
            "team",
            "title",
            "owner",
            "owner_name",
            "status",
            "follows",
            "nonconformities",
            "opened_at",
            "five_whys",
            "fishbone",
            "root_cause",
            "root_cause_category",
            "implemented_at",
            "reopen_reason",
            "checks",
            "closed_at",
            "closed_by",
            "cancel_reason",
            "cancelled_at",
        ]
        read_only_fields = fields


class RootCauseSerializer(serializers.Serializer):
    root_cause = serializers.CharField(**_TEXT)
    root_cause_category = serializers.ChoiceField(
        choices=CauseCategory.choices, required=False, allow_blank=True, default=""
    )
    five_whys = serializers.ListField(
        child=serializers.CharField(max_length=1000), required=False, default=list, max_length=10
    )
    fishbone = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=1000), max_length=20),
        required=False,
        default=dict,
        help_text="Causes by category: people, process, platform, content, measurement, environment.",
    )


class StartVerificationSerializer(serializers.Serializer):
    criteria = serializers.CharField(**_TEXT)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    metric_key = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    metric_scope = serializers.DictField(required=False, default=dict)
    comparator = serializers.ChoiceField(choices=Comparator.choices, required=False, allow_blank=True, default="")
    threshold = serializers.DecimalField(max_digits=12, decimal_places=4, required=False, allow_null=True, default=None)


class VerifySerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=CheckResult.choices)
    evidence = serializers.CharField(required=False, allow_blank=True, default="", **_TEXT)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when not effective.", **_TEXT
    )


class CloseSerializer(serializers.Serializer):
    password = PasswordField()
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(**_TEXT)


class ActionItemCreateSerializer(serializers.Serializer):
    description = serializers.CharField(**_TEXT)
    action_type = serializers.ChoiceField(choices=ActionKind.choices)
    owner = serializers.IntegerField(min_value=1)
    due_date = serializers.DateField()


class ActionItemCompleteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", **_TEXT)
    evidence = serializers.FileField(required=False, allow_null=True, default=None, use_url=False)

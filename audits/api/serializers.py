from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audits.models import (
    Answer,
    AnswerValue,
    Audit,
    AuditProgramme,
    AuditQuestion,
    AuditType,
    Classification,
    Evidence,
    Finding,
    IndependenceOverride,
    QuestionSource,
    RecordKind,
)
from audits.workflow import Status

_TEXT = {"max_length": 20_000}


# Inline enum (wrapped in allOf) like the other apps: several models have a `status` field with
# different choices, and drf-spectacular's global enum names would collide.
@extend_schema_field({"allOf": [{"type": "string", "enum": list(Status.values)}], "readOnly": True})
class AuditStatusField(serializers.ReadOnlyField):
    pass


@extend_schema_field({"type": "string", "enum": list(RecordKind.values)})
class RecordKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=RecordKind.choices, **kwargs)


@extend_schema_field({"allOf": [{"type": "string", "enum": list(QuestionSource.values)}], "readOnly": True})
class QuestionSourceField(serializers.ReadOnlyField):
    pass


class PasswordField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=256, trim_whitespace=False, style={"input_type": "password"}, **kwargs)


class AuditSignatureSerializer(serializers.Serializer):
    printed_name = serializers.CharField(read_only=True)
    meaning = serializers.CharField(read_only=True)
    signed_at = serializers.DateTimeField(read_only=True)
    comment = serializers.CharField(read_only=True)


class ProgrammeSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.printed_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = AuditProgramme
        fields = ["id", "team", "team_name", "year", "objectives", "owner", "owner_name", "created_at"]
        read_only_fields = fields


class ProgrammeCreateSerializer(serializers.Serializer):
    team = serializers.IntegerField(min_value=1)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    objectives = serializers.CharField(**_TEXT)
    owner = serializers.IntegerField(min_value=1, required=False)


class IndependenceOverrideReadSerializer(serializers.ModelSerializer):
    signed_by = serializers.CharField(source="signed_by.printed_name", read_only=True)

    class Meta:
        model = IndependenceOverride
        fields = ["id", "conflicts", "justification", "signed_by", "signed_at"]
        read_only_fields = fields


class AuditLotSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)
    lot_size = serializers.IntegerField(read_only=True)
    sample_size = serializers.IntegerField(read_only=True)
    defectives = serializers.IntegerField(read_only=True)


class AuditSerializer(serializers.ModelSerializer):
    status = AuditStatusField()
    lead_auditor_name = serializers.CharField(source="lead_auditor.printed_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = Audit
        fields = [
            "id",
            "reference",
            "title",
            "audit_type",
            "status",
            "programme",
            "team",
            "team_name",
            "lead_auditor",
            "lead_auditor_name",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "period_start",
            "period_end",
            "closed_at",
        ]
        read_only_fields = fields


class AuditDetailSerializer(AuditSerializer):
    audited_teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    documents = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    auditors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    auditees = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    sampling_lot = AuditLotSerializer(read_only=True, allow_null=True)
    closed_signature = AuditSignatureSerializer(read_only=True, allow_null=True)
    independence_overrides = IndependenceOverrideReadSerializer(many=True, read_only=True)

    class Meta(AuditSerializer.Meta):
        fields = [
            *AuditSerializer.Meta.fields,
            "audited_teams",
            "documents",
            "clauses",
            "processes",
            "account",
            "sampling_lot",
            "auditors",
            "auditees",
            "summary",
            "method",
            "conclusion",
            "cancel_reason",
            "cancelled_at",
            "closed_signature",
            "independence_overrides",
        ]
        read_only_fields = fields


class _PlanFields(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    audit_type = serializers.ChoiceField(choices=AuditType.choices)
    planned_start = serializers.DateField()
    planned_end = serializers.DateField()
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    processes = serializers.CharField(required=False, allow_blank=True, **_TEXT)
    clauses = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=50)
    lead_auditor = serializers.IntegerField(min_value=1)
    auditors = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=20)
    auditees = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=50)
    audited_teams = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=20)
    documents = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=100)
    account = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class AuditCreateSerializer(_PlanFields):
    programme = serializers.IntegerField(min_value=1)


class AuditUpdateSerializer(_PlanFields):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class AuditCloseSerializer(serializers.Serializer):
    password = PasswordField()


class AuditCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(**_TEXT)


class IndependenceOverrideSerializer(serializers.Serializer):
    justification = serializers.CharField(**_TEXT)
    password = PasswordField()


class AuditReportSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, **_TEXT)
    method = serializers.CharField(required=False, allow_blank=True, **_TEXT)
    conclusion = serializers.CharField(required=False, allow_blank=True, **_TEXT)


class AuditEvidenceSerializer(serializers.ModelSerializer):
    attachment_name = serializers.CharField(source="attachment.original_name", read_only=True, default=None)
    attachment_sha256 = serializers.CharField(source="attachment.sha256", read_only=True, default=None)
    added_by = serializers.CharField(source="added_by.printed_name", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "answer",
            "finding",
            "attachment",
            "attachment_name",
            "attachment_sha256",
            "record_kind",
            "record_id",
            "record_label",
            "note",
            "added_by",
            "added_at",
        ]
        read_only_fields = fields


class RecordLinkSerializer(serializers.Serializer):
    type = RecordKindField()
    id = serializers.IntegerField(min_value=1)


class AuditEvidenceCreateSerializer(serializers.Serializer):
    file = serializers.FileField(required=False)
    attachment = serializers.IntegerField(min_value=1, required=False)
    record = RecordLinkSerializer(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    def validate(self, attrs):
        given = [k for k in ("file", "attachment", "record") if attrs.get(k) is not None]
        if len(given) != 1:
            raise serializers.ValidationError("Give one of file, attachment or record.")
        return attrs


class AuditQuestionSerializer(serializers.ModelSerializer):
    answer = serializers.CharField(source="answer.value", read_only=True, default=None)
    source = QuestionSourceField()

    class Meta:
        model = AuditQuestion
        fields = ["id", "order", "text", "clause", "guidance", "source", "bank_question", "copied_from", "answer"]
        read_only_fields = fields


class AuditQuestionCreateSerializer(serializers.Serializer):
    bank_question = serializers.IntegerField(min_value=1, required=False)
    checklist = serializers.IntegerField(min_value=1, required=False, help_text="Add every item of an SOP checklist.")
    text = serializers.CharField(required=False, **_TEXT)
    clause = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    guidance = serializers.CharField(required=False, allow_blank=True, default="", **_TEXT)

    def validate(self, attrs):
        given = [k for k in ("bank_question", "checklist", "text") if attrs.get(k)]
        if len(given) != 1:
            raise serializers.ValidationError("Give one of bank_question, checklist or text.")
        return attrs


class AuditAnswerSerializer(serializers.ModelSerializer):
    answer = serializers.CharField(source="value", read_only=True)
    answered_by = serializers.CharField(source="answered_by.printed_name", read_only=True)
    evidence = AuditEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Answer
        fields = ["id", "question", "answer", "notes", "answered_by", "answered_at", "evidence"]
        read_only_fields = fields


class AuditAnswerWriteSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1)
    answer = serializers.ChoiceField(choices=AnswerValue.choices)
    notes = serializers.CharField(required=False, allow_blank=True, **_TEXT)


class NonconformityLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    severity = serializers.CharField(read_only=True)


class AuditFindingSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    nonconformity = NonconformityLinkSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "reference",
            "audit",
            "number",
            "team",
            "question",
            "classification",
            "clause",
            "statement",
            "requirement",
            "evidence_text",
            "auditee_response",
            "response_due",
            "responded_at",
            "nonconformity",
            "created_at",
        ]
        read_only_fields = fields


class AuditFindingDetailSerializer(AuditFindingSerializer):
    evidence = AuditEvidenceSerializer(many=True, read_only=True)

    class Meta(AuditFindingSerializer.Meta):
        fields = [*AuditFindingSerializer.Meta.fields, "evidence"]
        read_only_fields = fields


class AuditFindingCreateSerializer(serializers.Serializer):
    audit = serializers.IntegerField(min_value=1)
    classification = serializers.ChoiceField(choices=Classification.choices)
    statement = serializers.CharField(**_TEXT)
    clause = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    requirement = serializers.CharField(required=False, allow_blank=True, default="", **_TEXT)
    evidence_text = serializers.CharField(required=False, allow_blank=True, default="", **_TEXT)
    team = serializers.IntegerField(min_value=1, required=False)
    question = serializers.IntegerField(min_value=1, required=False)
    response_due = serializers.DateField(
        required=False, help_text="When the auditee's response is due (lead auditor); 14 days from today by default."
    )


class AuditFindingUpdateSerializer(serializers.Serializer):
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    statement = serializers.CharField(required=False, **_TEXT)
    clause = serializers.CharField(required=False, allow_blank=True, max_length=20)
    requirement = serializers.CharField(required=False, allow_blank=True, **_TEXT)
    evidence_text = serializers.CharField(required=False, allow_blank=True, **_TEXT)
    response_due = serializers.DateField(required=False, help_text="Lead auditor only.")


class FindingRespondSerializer(serializers.Serializer):
    response = serializers.CharField(**_TEXT)


class AuditSampleSerializer(serializers.Serializer):
    aql = serializers.DecimalField(max_digits=6, decimal_places=3, required=False, default="2.5")
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**48)

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import SignatureSerializer
from docs_control.models import Approval, Document, DocumentVersion, Kind
from docs_control.workflow import Status


class DocumentSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    owner_name = serializers.CharField(source="owner.printed_name", read_only=True)
    effective_version = serializers.SerializerMethodField()
    latest_version = serializers.SerializerMethodField()
    latest_status = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Document
        fields = [
            "id", "number", "title", "team", "team_name", "owner", "owner_name", "kind", "source_url",
            "review_interval_months", "required_approvals", "next_review_due", "created_at",
            "effective_version", "latest_version", "latest_status",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_effective_version(self, obj) -> str | None:
        major = getattr(obj, "effective_major", None)
        return None if major is None else f"{major}.{obj.effective_minor}"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_latest_version(self, obj) -> str | None:
        major = getattr(obj, "latest_major", None)
        return None if major is None else f"{major}.{obj.latest_minor}"


class DocumentCreateSerializer(serializers.Serializer):
    team = serializers.IntegerField(min_value=1)
    number = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.SOP)
    owner = serializers.IntegerField(min_value=1, required=False)
    review_interval_months = serializers.IntegerField(min_value=1, max_value=60, default=12)
    required_approvals = serializers.IntegerField(min_value=1, max_value=5, default=1)
    source_url = serializers.URLField(required=False, allow_blank=True, default="")
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=500_000)


class DocumentUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    owner = serializers.IntegerField(min_value=1, required=False)
    review_interval_months = serializers.IntegerField(min_value=1, max_value=60, required=False)
    required_approvals = serializers.IntegerField(min_value=1, max_value=5, required=False)
    source_url = serializers.URLField(required=False, allow_blank=True)


class ApprovalSerializer(serializers.ModelSerializer):
    approver_name = serializers.CharField(source="approver.printed_name", read_only=True)

    class Meta:
        model = Approval
        fields = ["round", "approver", "approver_name", "decision", "decided_at", "comment"]


class VersionListSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    document_number = serializers.CharField(source="document.number", read_only=True)
    author_name = serializers.CharField(source="author.printed_name", read_only=True)

    class Meta:
        model = DocumentVersion
        fields = [
            "id", "document", "document_number", "label", "status", "change_summary", "author", "author_name",
            "lock_version", "review_round", "created_at", "submitted_at", "approved_at", "effective_from",
            "effective_at", "superseded_at", "obsolete_reason", "review_comment",
        ]  # fmt: skip
        read_only_fields = fields


class VersionDetailSerializer(VersionListSerializer):
    approvals = ApprovalSerializer(many=True, read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True, source="signature_list")

    class Meta(VersionListSerializer.Meta):
        fields = [*VersionListSerializer.Meta.fields, "body", "approvals", "signatures"]
        read_only_fields = fields


class VersionCreateSerializer(serializers.Serializer):
    document = serializers.IntegerField(min_value=1)
    major = serializers.BooleanField(default=False)
    change_summary = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class VersionUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, max_length=500_000, trim_whitespace=False)
    change_summary = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    lock_version = serializers.IntegerField(min_value=1)


class SubmitSerializer(serializers.Serializer):
    approvers = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=10)
    extra_teams = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=50
    )
    effective_from = serializers.DateField(required=False, allow_null=True, default=None)


class SignSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectSerializer(SignSerializer):
    comment = serializers.CharField(max_length=2000)


class AcknowledgeSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})


class MakeEffectiveSerializer(serializers.Serializer):
    effective_from = serializers.DateField(required=False, allow_null=True, default=None)


class ObsoleteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DiffSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    against = serializers.IntegerField(allow_null=True)
    left_html = serializers.CharField()
    right_html = serializers.CharField()
    added_words = serializers.IntegerField()
    removed_words = serializers.IntegerField()


class AcknowledgementSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="version_id")
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField()


class PdfQueuedSerializer(serializers.Serializer):
    detail = serializers.CharField()


VERSION_STATUSES = Status.values

from rest_framework import serializers

from post_reviews.models import (
    Checklist,
    ChecklistItem,
    DefectCategory,
    ImportRun,
    Post,
    PostReview,
    PostStatus,
    SamplingLot,
    Severity,
    SocialAccount,
    Stage,
)
from post_reviews.services.content import MAX_COUNTER
from post_reviews.workflow import ENGAGEMENT_FIELDS


class SocialAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = SocialAccount
        fields = ["id", "team", "platform", "handle", "display_name", "created_at"]
        read_only_fields = ["id", "created_at"]


class SocialAccountInputSerializer(serializers.Serializer):
    team = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    platform = serializers.ChoiceField(choices=SocialAccount._meta.get_field("platform").choices)
    handle = serializers.CharField(max_length=100)
    display_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MediaSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["image", "video", "gif"])
    url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    alt_text = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


def _counter(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_COUNTER, required=False, allow_null=True, **kwargs)


class PostInputSerializer(serializers.Serializer):
    account = serializers.IntegerField(min_value=1)
    external_id = serializers.CharField(max_length=100)
    text = serializers.CharField(max_length=100_000, trim_whitespace=False)
    url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    media = MediaSerializer(many=True, required=False, default=list)
    campaign = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    sponsored = serializers.BooleanField(required=False, default=False)
    status = serializers.ChoiceField(choices=PostStatus.choices, required=False, default=PostStatus.PUBLISHED)
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    author_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    # Engagement as the platform reports it: left out or null keeps what is stored.
    impressions = _counter(default=None)
    reach = _counter(default=None)
    likes = _counter(default=None)
    comments = _counter(default=None)
    shares = _counter(default=None)
    saves = _counter(default=None)
    video_views = _counter(default=None)


class PostEngagementSerializer(serializers.Serializer):
    """A post's engagement counters; only those given change, and null clears one."""

    impressions = _counter()
    reach = _counter()
    likes = _counter()
    comments = _counter()
    shares = _counter()
    saves = _counter()
    video_views = _counter()

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        if unknown:
            raise serializers.ValidationError({k: ["Only engagement counters can be changed here."] for k in unknown})
        if not attrs:
            raise serializers.ValidationError({"non_field_errors": ["Give at least one engagement counter."]})
        return attrs


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = serializers.CharField()
    message = serializers.CharField()
    spans = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))


class PostSerializer(serializers.ModelSerializer):
    platform = serializers.CharField(source="account.platform", read_only=True)
    handle = serializers.CharField(source="account.handle", read_only=True)

    class Meta:
        model = Post
        fields = [
            "id", "account", "platform", "handle", "external_id", "url", "text", "media", "campaign", "sponsored",
            "status", "scheduled_at", "published_at", "source", "author", "author_name", "imported_by",
            "precheck_failures", "review_state", "approved_for_publishing", "created_at", "updated_at",
            *ENGAGEMENT_FIELDS,
        ]  # fmt: skip
        read_only_fields = fields


class PostDetailSerializer(PostSerializer):
    prechecks = FindingSerializer(many=True, read_only=True)

    class Meta(PostSerializer.Meta):
        fields = [*PostSerializer.Meta.fields, "prechecks", "prechecked_at", "content_hash"]
        read_only_fields = fields


class UpsertResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class ImportRequestSerializer(serializers.Serializer):
    team = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=["csv", "x_archive"], default="csv")
    account = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    file = serializers.FileField(allow_empty_file=False, use_url=False)


class ImportRunSerializer(serializers.ModelSerializer):
    message = serializers.CharField(source="failure_message", read_only=True, help_text="Same as failure_message.")

    class Meta:
        model = ImportRun
        fields = [
            "id", "team", "kind", "original_name", "status", "rows_total", "rows_done", "created_count",
            "updated_count", "unchanged_count", "error_count", "errors", "message", "failure_message", "attempts",
            "heartbeat_at", "created_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "order", "criterion", "category", "severity", "sop_section", "precheck_rule"]


class ChecklistSerializer(serializers.ModelSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)
    sop = serializers.SerializerMethodField()
    sop_revised = serializers.BooleanField(read_only=True)

    class Meta:
        model = Checklist
        fields = ["id", "team", "name", "document_version", "sop", "sop_revised", "active", "created_at", "items"]
        read_only_fields = fields

    def get_sop(self, obj) -> str:
        return f"{obj.document_version.document.number} v{obj.document_version.label}"


class ChecklistItemInputSerializer(serializers.Serializer):
    criterion = serializers.CharField(max_length=300)
    category = serializers.ChoiceField(choices=DefectCategory.choices, default=DefectCategory.OTHER)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MAJOR)
    sop_section = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    precheck_rule = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class ChecklistInputSerializer(serializers.Serializer):
    document_version = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=200)
    items = ChecklistItemInputSerializer(many=True)


class DefectInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=DefectCategory.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    item = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "The failed checklist item this defect records. A failed critical or major item with no "
            "defect given for it records one with the item's category and severity."
        ),
    )


class ReviewInputSerializer(serializers.Serializer):
    post = serializers.IntegerField(min_value=1)
    checklist = serializers.IntegerField(min_value=1)
    stage = serializers.ChoiceField(choices=Stage.choices)
    results = serializers.DictField(child=serializers.ChoiceField(choices=["pass", "fail", "na"]), allow_empty=False)
    defects = DefectInputSerializer(many=True, required=False, default=list)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    time_spent_seconds = serializers.IntegerField(min_value=0, max_value=4 * 3600, required=False, default=0)
    sampling_lot = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)

    def validate_results(self, value):
        if not all(str(k).isdecimal() for k in value):
            raise serializers.ValidationError("Keys are checklist item ids.")
        return {int(k): v for k, v in value.items()}


class DefectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField()
    severity = serializers.CharField()
    item = serializers.IntegerField(source="checklist_item_id", allow_null=True)
    note = serializers.CharField()


class PostReviewSerializer(serializers.ModelSerializer):
    reviewer_name = serializers.CharField(source="reviewer.printed_name", read_only=True)
    changed_since_review = serializers.SerializerMethodField()

    class Meta:
        model = PostReview
        fields = [
            "id", "post", "reviewer", "reviewer_name", "checklist", "checklist_version", "stage", "outcome", "score",
            "time_spent_seconds", "post_content_hash", "changed_since_review", "supersedes", "sampling_lot",
            "submitted_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_changed_since_review(self, obj) -> bool:
        """The post's reviewed content (``REVIEWED_FIELDS``) changed after this review."""
        return obj.post_content_hash != obj.post.content_hash


class PostReviewDetailSerializer(PostReviewSerializer):
    defects = DefectSerializer(many=True, read_only=True)
    items = serializers.SerializerMethodField()

    class Meta(PostReviewSerializer.Meta):
        fields = [*PostReviewSerializer.Meta.fields, "notes", "items", "defects"]
        read_only_fields = fields

    def get_items(self, obj) -> dict[str, str]:
        return {str(i.item_id): i.result for i in obj.items.all()}


class SamplingLotSerializer(serializers.ModelSerializer):
    class Meta:
        model = SamplingLot
        fields = [
            "id", "team", "account", "period_start", "period_end", "method", "aql", "percent", "code_letter",
            "lot_size", "sample_size", "accept", "reject", "seed", "sample_post_ids", "status", "defectives",
            "decided_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class SamplingLotInputSerializer(serializers.Serializer):
    team = serializers.IntegerField(min_value=1)
    account = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    method = serializers.ChoiceField(choices=["iso2859", "percentage"], default="iso2859")
    aql = serializers.DecimalField(max_digits=6, decimal_places=3, required=False, default="2.5")
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True, default=None)
    seed = serializers.IntegerField(min_value=0, max_value=2**48, required=False, allow_null=True, default=None)

"""Management review API (ISO 9001 9.3): list, create, detail, PATCH while draft, actions,
``close`` (the chair's password) and ``pdf``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api.base import ScopedViewSetMixin, valid
from core.selectors import signatures_of
from metrics import services
from metrics.models import ManagementReview, ManagementReviewAction
from metrics.pdf import review_pdf_response
from metrics.reviews import review_figures, review_get_for, review_list_for

_TEXT = {"required": False, "allow_blank": True, "max_length": 20000}


class ManagementReviewActionSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.printed_name", read_only=True)

    class Meta:
        model = ManagementReviewAction
        fields = ["id", "description", "owner", "owner_name", "due_date", "done_at"]
        read_only_fields = fields


class ManagementReviewSerializer(serializers.ModelSerializer):
    chair_name = serializers.CharField(source="chair.printed_name", read_only=True)
    actions = ManagementReviewActionSerializer(many=True, read_only=True)
    inputs = serializers.SerializerMethodField()
    signatures = serializers.SerializerMethodField()

    class Meta:
        model = ManagementReview
        fields = [
            "id", "team", "title", "period_start", "period_end", "chair", "chair_name", "participants",
            "status", *ManagementReview.TEXT_FIELDS, *ManagementReview.OUTPUT_FIELDS, "closed_at",
            "actions", "inputs", "signatures",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_inputs(self, review) -> dict:
        # Lists leave the computed inputs out (one review's inputs take several queries).
        return review_figures(review) if self.context.get("detail") else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_signatures(self, review) -> list[dict]:
        return [
            {"printed_name": s.printed_name, "meaning": s.meaning, "signed_at": s.signed_at, "sha256": s.content_sha256}
            for s in signatures_of(review)
        ]


class ManagementReviewInputSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    chair = serializers.IntegerField(required=False)
    participants = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=100)
    issues_changes = serializers.CharField(**_TEXT)
    external_providers = serializers.CharField(**_TEXT)
    resources = serializers.CharField(**_TEXT)
    risks = serializers.CharField(**_TEXT)
    improvement = serializers.CharField(**_TEXT)
    decisions = serializers.CharField(**_TEXT)
    resource_needs = serializers.CharField(**_TEXT)


class ManagementReviewPatchSerializer(ManagementReviewInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["team"]
        for field in self.fields.values():
            field.required = False


class ManagementReviewActionInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    owner = serializers.IntegerField()
    due_date = serializers.DateField()


class ManagementReviewCloseSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ManagementReviewViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Management reviews (ISO 9001 9.3) of your teams. Closed ones are read-only (409)."""

    model = ManagementReview
    serializer_class = ManagementReviewSerializer
    filter_params = frozenset({"team", "status"})

    def scoped_queryset(self, user):
        qs = review_list_for(user).prefetch_related("participants", "actions__owner")
        team = self.int_param("team")
        state = self.choice_param("status", ("draft", "closed"))
        qs = qs.filter(team_id=team) if team else qs
        return qs.filter(status=state) if state else qs

    def perform_content_negotiation(self, request, force=False):
        if self.action == "pdf":  # answers the file itself, or JSON for an error
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def get_object(self):
        return review_get_for(self.request.user, review_id=int(self.kwargs["pk"]))

    def _answer(self, review_id: int, code=status.HTTP_200_OK) -> Response:
        review = review_get_for(self.request.user, review_id=review_id)
        return Response(ManagementReviewSerializer(review, context={"detail": True}).data, status=code)

    def retrieve(self, request, pk=None):
        return self._answer(int(pk))

    @extend_schema(request=ManagementReviewInputSerializer, responses={201: ManagementReviewSerializer})
    def create(self, request):
        data = dict(valid(ManagementReviewInputSerializer, request))
        review = services.management_review_create(team_id=data.pop("team"), data=data, by=request.user)
        return self._answer(review.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ManagementReviewPatchSerializer, responses={200: ManagementReviewSerializer})
    def partial_update(self, request, pk=None):
        data = dict(valid(ManagementReviewPatchSerializer, request))
        services.management_review_update(review_id=int(pk), data=data, by=request.user)
        return self._answer(int(pk))

    @extend_schema(request=ManagementReviewActionInputSerializer, responses={201: ManagementReviewSerializer})
    @action(detail=True, methods=["post"], url_path="actions")
    def add_action(self, request, pk=None):
        services.management_review_action_add(
            review_id=int(pk), by=request.user, **valid(ManagementReviewActionInputSerializer, request)
        )
        return self._answer(int(pk), status.HTTP_201_CREATED)

    @extend_schema(request=ManagementReviewCloseSerializer, responses={200: ManagementReviewSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        services.management_review_close(
            review_id=int(pk), by=request.user, **valid(ManagementReviewCloseSerializer, request)
        )
        return self._answer(int(pk))

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return review_pdf_response(review_get_for(request.user, review_id=int(pk)))

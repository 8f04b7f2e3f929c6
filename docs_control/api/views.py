from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api.base import ScopedViewSetMixin, valid
from core.selectors import signatures_of
from docs_control import pdf, selectors, services
from docs_control.models import Document, DocumentVersion, Kind
from docs_control.workflow import Status

from . import serializers as s


class DocumentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Controlled documents (SOPs, policies, brand guides...) of the user's teams."""

    model = Document
    serializer_class = s.DocumentSerializer
    filter_params = frozenset({"team", "kind", "status", "q", "review_due", "awaiting_my_approval", "awaiting_my_ack"})
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self, user):
        if self.action != "list":
            return selectors.with_version_columns(selectors.document_list_for(user), user)
        params = self.request.query_params
        filters = selectors.RegisterFilters(
            team=self.int_param("team"),
            kind=self.choice_param("kind", Kind.values) or "",
            status=self.choice_param("status", Status.values) or "",
            review_due=bool(self.bool_param("review_due")),
            awaiting_my_approval=bool(self.bool_param("awaiting_my_approval")),
            awaiting_my_ack=bool(self.bool_param("awaiting_my_ack")),
            q=params.get("q", "")[:200],
        )
        return selectors.document_register(user, filters)

    def get_object(self):
        return selectors.document_get_for(self.request.user, document_id=int(self.kwargs["pk"]))

    @extend_schema(request=s.DocumentCreateSerializer, responses={201: s.DocumentSerializer})
    def create(self, request):
        v = valid(s.DocumentCreateSerializer, request)
        document = services.document_create(
            team_id=v["team"],
            number=v["number"],
            title=v["title"],
            kind=v["kind"],
            owner_id=v.get("owner"),
            review_interval_months=v["review_interval_months"],
            required_approvals=v["required_approvals"],
            source_url=v["source_url"],
            body=v["body"],
            by=request.user,
        )
        return Response(self._out(document), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DocumentUpdateSerializer, responses={200: s.DocumentSerializer})
    def partial_update(self, request, pk=None):
        changes = dict(valid(s.DocumentUpdateSerializer, request, partial=True))
        if "owner" in changes:
            changes["owner_id"] = changes.pop("owner")
        document = services.document_update(document_id=int(pk), by=request.user, **changes)
        return Response(self._out(document))

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def _out(self, document: Document) -> dict:
        return s.DocumentSerializer(selectors.document_get_for(self.request.user, document_id=document.pk)).data


class DocumentVersionViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Versions of controlled documents. Transitions are POST actions; signing ones take the password."""

    model = DocumentVersion
    filter_params = frozenset({"document", "status"})
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return s.VersionListSerializer if self.action == "list" else s.VersionDetailSerializer

    def scoped_queryset(self, user):
        qs = selectors.version_list_for(user)
        document = self.int_param("document")
        if document:
            qs = qs.filter(document_id=document)
        status_ = self.choice_param("status", Status.values)
        if status_:
            qs = qs.filter(status=status_)
        return qs

    def perform_content_negotiation(self, request, force=False):
        # The PDF action answers the file itself (not through a renderer), or JSON for a 202 or
        # an error: a client asking for application/pdf must get it, not a 406.
        if self.action == "pdf":
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def get_object(self):
        version = selectors.version_get_for(self.request.user, version_id=int(self.kwargs["pk"]))
        version.signature_list = list(signatures_of(version))
        return version

    def _out(self, version_id: int) -> dict:
        self.kwargs["pk"] = version_id
        return s.VersionDetailSerializer(self.get_object()).data

    @extend_schema(request=s.VersionCreateSerializer, responses={201: s.VersionDetailSerializer})
    def create(self, request):
        v = valid(s.VersionCreateSerializer, request)
        version = services.version_create_draft(
            document_id=v["document"], by=request.user, major=v["major"], change_summary=v["change_summary"]
        )
        return Response(self._out(version.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.VersionUpdateSerializer, responses={200: s.VersionDetailSerializer})
    def partial_update(self, request, pk=None):
        v = valid(s.VersionUpdateSerializer, request)
        services.version_update_draft(
            version_id=int(pk),
            by=request.user,
            body=v["body"],
            change_summary=v["change_summary"],
            lock_version=v["lock_version"],
        )
        return Response(self._out(int(pk)))

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=s.SubmitSerializer, responses={200: s.VersionDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        v = valid(s.SubmitSerializer, request)
        services.version_submit(
            version_id=int(pk),
            by=request.user,
            approver_ids=v["approvers"],
            extra_team_ids=v["extra_teams"],
            effective_from=v["effective_from"],
        )
        return Response(self._out(int(pk)))

    @extend_schema(request=s.SignSerializer, responses={200: s.VersionDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = valid(s.SignSerializer, request)
        services.version_approve(version_id=int(pk), by=request.user, **data)
        return Response(self._out(int(pk)))

    @extend_schema(request=s.RejectSerializer, responses={200: s.VersionDetailSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = valid(s.RejectSerializer, request)
        services.version_reject(version_id=int(pk), by=request.user, **data)
        return Response(self._out(int(pk)))

    @extend_schema(request=s.MakeEffectiveSerializer, responses={200: s.VersionDetailSerializer})
    @action(detail=True, methods=["post"], url_path="make-effective")
    def make_effective(self, request, pk=None):
        data = valid(s.MakeEffectiveSerializer, request)
        services.version_make_effective(version_id=int(pk), by=request.user, effective_from=data["effective_from"])
        return Response(self._out(int(pk)))

    @extend_schema(request=s.ObsoleteSerializer, responses={200: s.VersionDetailSerializer})
    @action(detail=True, methods=["post"])
    def obsolete(self, request, pk=None):
        data = valid(s.ObsoleteSerializer, request)
        services.version_obsolete(version_id=int(pk), by=request.user, reason=data["reason"])
        return Response(self._out(int(pk)))

    @extend_schema(request=s.AcknowledgeSerializer, responses={200: s.AcknowledgementSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        data = valid(s.AcknowledgeSerializer, request)
        ack = services.version_acknowledge(version_id=int(pk), by=request.user, password=data["password"])
        return Response(s.AcknowledgementSerializer(ack).data)

    @extend_schema(
        parameters=[OpenApiParameter("against", OpenApiTypes.INT, required=False)],
        responses={200: s.DiffSerializer},
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        against = request.query_params.get("against")
        if against is not None and not against.isdecimal():
            raise ValidationError({"against": "Must be a version id."})
        diff = selectors.version_diff(request.user, version_id=int(pk), against_id=int(against) if against else None)
        return Response(
            {
                "version": diff["version"].pk,
                "against": diff["against"].pk if diff["against"] else None,
                "left_html": diff["left"],
                "right_html": diff["right"],
                "added_words": diff["added"],
                "removed_words": diff["removed"],
            }
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 202: s.PdfQueuedSerializer})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        version = selectors.version_get_for(request.user, version_id=int(pk))
        response = pdf.version_pdf_response(request, version)
        if response is None:
            return Response(
                {"detail": "The PDF is being rendered by a worker. Try again in a minute."},
                status=status.HTTP_202_ACCEPTED,
            )
        return response

"""Audits API: reads through scoped selectors, every write a service call, every transition a POST.

An audit the caller may not see is a 404; a forbidden transition a 409 with the current status.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import team_get_for
from audits import selectors, services
from audits.models import Audit, AuditProgramme, AuditType, Classification, Finding
from audits.workflow import Status
from core.api.base import ScopedViewSetMixin, valid
from core.api.parsers import BoundedJSONParser
from core.exceptions import ValidationError

from . import serializers as s

HTTP_METHODS = ["get", "post", "patch", "head", "options"]
EVIDENCE_REQUEST = {
    "multipart/form-data": s.AuditEvidenceCreateSerializer,
    "application/json": s.AuditEvidenceCreateSerializer,
}


class ProgrammeViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Audit programmes (ISO 9001 9.2.2 a): a team's year of planned audits."""

    model = AuditProgramme
    serializer_class = s.ProgrammeSerializer
    filter_backends: list = []
    filter_params = frozenset({"team", "year"})

    def scoped_queryset(self, user):
        qs = selectors.programme_list_for(user)
        if self.action == "list":
            team, year = self.int_param("team"), self.int_param("year")
            if team is not None:
                qs = qs.filter(team_id=team)
            if year is not None:
                qs = qs.filter(year=year)
        return qs

    def get_object(self):
        return selectors.programme_get_for(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(
        parameters=[OpenApiParameter("team", int), OpenApiParameter("year", int)],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.ProgrammeCreateSerializer, responses={201: s.ProgrammeSerializer})
    def create(self, request):
        data = valid(s.ProgrammeCreateSerializer, request)
        team = team_get_for(request.user, team_id=data["team"])
        owner = User.objects.filter(pk=data["owner"], is_active=True).first() if "owner" in data else None
        if "owner" in data and owner is None:
            raise ValidationError({"owner": "Choose a QA manager of the team."})
        programme = services.programme_create(
            team=team, year=data["year"], objectives=data["objectives"], owner=owner, by=request.user
        )
        programme = selectors.programme_get_for(request.user, programme.pk)
        return Response(s.ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)


class AuditViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Audits: planned → in_progress → reporting → closed (signed by the lead auditor), or cancelled."""

    model = Audit
    serializer_class = s.AuditSerializer
    filter_backends: list = []
    filter_params = frozenset({"status", "audit_type", "programme", "team"})
    http_method_names = HTTP_METHODS

    def scoped_queryset(self, user):
        qs = selectors.audit_list_for(user)
        if self.action != "list":
            return qs
        for field, choices in (("status", Status), ("audit_type", AuditType)):
            value = self.choice_param(field, choices.values)
            if value:
                qs = qs.filter(**{field: value})
        for field in ("programme", "team"):
            value = self.int_param(field)
            if value is not None:
                qs = qs.filter(**{f"{field}_id": value})
        return qs

    def get_object(self):
        return selectors.audit_get_for(self.request.user, int(self.kwargs["pk"]))

    def _answer(self, audit_id: int, code=status.HTTP_200_OK):
        audit = selectors.audit_get_for(self.request.user, audit_id)
        return Response(s.AuditDetailSerializer(audit).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=list(Status.values)),
            OpenApiParameter("audit_type", str, enum=list(AuditType.values)),
            OpenApiParameter("programme", int),
            OpenApiParameter("team", int),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=s.AuditDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(s.AuditDetailSerializer(self.get_object()).data)

    @extend_schema(request=s.AuditCreateSerializer, responses={201: s.AuditDetailSerializer})
    def create(self, request):
        data = dict(valid(s.AuditCreateSerializer, request))
        programme = selectors.programme_get_for(request.user, data.pop("programme"))
        audit = services.audit_create(programme=programme, by=request.user, **data)
        return self._answer(audit.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.AuditUpdateSerializer, responses=s.AuditDetailSerializer)
    def partial_update(self, request, pk=None):
        audit = self.get_object()
        data = valid(s.AuditUpdateSerializer, request)
        services.audit_update(audit_id=audit.pk, by=request.user, **data)
        return self._answer(audit.pk)

    def _step(self, service, serializer_class=None):
        audit = self.get_object()
        data = valid(serializer_class, self.request) if serializer_class else {}
        service(audit_id=audit.pk, by=self.request.user, **data)
        return self._answer(audit.pk)

    @extend_schema(request=None, responses=s.AuditDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step(services.audit_start)

    @extend_schema(request=s.AuditReportSerializer, responses=s.AuditDetailSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        return self._step(services.audit_report, s.AuditReportSerializer)

    @extend_schema(request=s.AuditReportSerializer, responses=s.AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="report-text")
    def report_text(self, request, pk=None):
        return self._step(services.audit_report_update, s.AuditReportSerializer)

    @extend_schema(request=s.AuditCloseSerializer, responses=s.AuditDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(services.audit_close, s.AuditCloseSerializer)

    @extend_schema(request=s.AuditCancelSerializer, responses=s.AuditDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(services.audit_cancel, s.AuditCancelSerializer)

    @extend_schema(request=s.IndependenceOverrideSerializer, responses=s.AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="independence-override")
    def independence_override(self, request, pk=None):
        return self._step(services.independence_override_sign, s.IndependenceOverrideSerializer)

    @extend_schema(request=s.AuditSampleSerializer, responses=s.AuditDetailSerializer)
    @action(detail=True, methods=["post"])
    def sample(self, request, pk=None):
        return self._step(services.audit_sample_draw, s.AuditSampleSerializer)

    @extend_schema(methods=["GET"], request=None, responses=s.AuditQuestionSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=s.AuditQuestionCreateSerializer, responses={201: s.AuditQuestionSerializer(many=True)}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def questions(self, request, pk=None):
        audit = self.get_object()
        if request.method == "GET":
            return Response(s.AuditQuestionSerializer(selectors.questions_of(audit), many=True).data)
        data = valid(s.AuditQuestionCreateSerializer, request)
        if data.get("checklist"):
            added = services.audit_questions_from_checklist(
                audit_id=audit.pk, checklist_id=data["checklist"], by=request.user
            )
        else:
            added = [
                services.audit_question_add(
                    audit_id=audit.pk,
                    bank_question_id=data.get("bank_question"),
                    text_=data.get("text", ""),
                    clause=data["clause"],
                    guidance=data["guidance"],
                    by=request.user,
                )
            ]
        return Response(s.AuditQuestionSerializer(added, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: s.AuditQuestionSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="questions/copy-previous")
    def copy_previous(self, request, pk=None):
        audit = self.get_object()
        added = services.audit_questions_copy_previous(audit_id=audit.pk, by=request.user)
        return Response(s.AuditQuestionSerializer(added, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=s.AuditAnswerSerializer(many=True))
    @extend_schema(methods=["POST", "PATCH"], request=s.AuditAnswerWriteSerializer, responses=s.AuditAnswerSerializer)
    @action(detail=True, methods=["get", "post", "patch"], pagination_class=None)
    def answers(self, request, pk=None):
        audit = self.get_object()
        if request.method == "GET":
            return Response(s.AuditAnswerSerializer(selectors.answers_of(audit), many=True).data)
        data = valid(s.AuditAnswerWriteSerializer, request)
        answer = services.answer_record(
            audit_id=audit.pk,
            question_id=data["question"],
            value=data["answer"],
            notes=data.get("notes"),
            by=request.user,
        )
        answer = selectors.answers_of(audit).get(pk=answer.pk)
        return Response(s.AuditAnswerSerializer(answer).data)

    @extend_schema(
        request={
            "multipart/form-data": s.AuditEvidenceCreateSerializer,
            "application/json": s.AuditEvidenceCreateSerializer,
        },
        responses={201: s.AuditEvidenceSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"answers/(?P<question_id>[0-9]+)/evidence",
        parser_classes=[BoundedJSONParser, MultiPartParser, FormParser],
    )
    def answer_evidence(self, request, pk=None, question_id=None):
        audit = self.get_object()
        question = selectors.question_get(audit, int(question_id))
        answer = getattr(question, "answer", None)
        if answer is None:
            raise ValidationError({"question": "Answer the question before adding evidence to it."})
        return _add_evidence(request, audit.pk, answer_id=answer.pk)


def _add_evidence(request, audit_id: int, **target):
    data = valid(s.AuditEvidenceCreateSerializer, request)
    record = dict(data["record"]) if data.get("record") else None
    evidence = services.evidence_add(
        audit_id=audit_id,
        upload=data.get("file"),
        attachment_id=data.get("attachment"),
        record=record,
        note=data.get("note", ""),
        by=request.user,
        **target,
    )
    return Response(s.AuditEvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class FindingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Findings of the audits you may see. A major or minor NC raises one nonconformity in capa."""

    model = Finding
    serializer_class = s.AuditFindingSerializer
    filter_backends: list = []
    filter_params = frozenset({"audit", "classification"})
    http_method_names = HTTP_METHODS

    def scoped_queryset(self, user):
        qs = selectors.finding_list_for(user)
        if self.action == "list":
            audit = self.int_param("audit")
            classification = self.choice_param("classification", Classification.values)
            if audit is not None:
                qs = qs.filter(audit_id=audit)
            if classification:
                qs = qs.filter(classification=classification)
        return qs

    def get_object(self):
        return selectors.finding_get_for(self.request.user, int(self.kwargs["pk"]))

    def _answer(self, finding_id: int, code=status.HTTP_200_OK):
        finding = selectors.finding_get_for(self.request.user, finding_id)
        return Response(s.AuditFindingDetailSerializer(finding).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("audit", int),
            OpenApiParameter("classification", str, enum=list(Classification.values)),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=s.AuditFindingDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(s.AuditFindingDetailSerializer(self.get_object()).data)

    @extend_schema(request=s.AuditFindingCreateSerializer, responses={201: s.AuditFindingDetailSerializer})
    def create(self, request):
        data = dict(valid(s.AuditFindingCreateSerializer, request))
        audit = selectors.audit_get_for(request.user, data.pop("audit"))
        finding = services.finding_create(
            audit_id=audit.pk,
            team_id=data.pop("team", None),
            question_id=data.pop("question", None),
            by=request.user,
            **data,
        )
        return self._answer(finding.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.AuditFindingUpdateSerializer, responses=s.AuditFindingDetailSerializer)
    def partial_update(self, request, pk=None):
        finding = self.get_object()
        services.finding_update(
            finding_id=finding.pk, by=request.user, **valid(s.AuditFindingUpdateSerializer, request)
        )
        return self._answer(finding.pk)

    @extend_schema(request=s.FindingRespondSerializer, responses=s.AuditFindingDetailSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        finding = self.get_object()
        services.finding_respond(finding_id=finding.pk, by=request.user, **valid(s.FindingRespondSerializer, request))
        return self._answer(finding.pk)

    @extend_schema(
        request={
            "multipart/form-data": s.AuditEvidenceCreateSerializer,
            "application/json": s.AuditEvidenceCreateSerializer,
        },
        responses={201: s.AuditEvidenceSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[BoundedJSONParser, MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        finding = self.get_object()
        return _add_evidence(request, finding.audit_id, finding_id=finding.pk)

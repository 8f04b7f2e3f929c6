"""The question bank API: ``/api/v1/question-bank/``. Reads through the scoped selectors (another
team's question is a 404), every write a service call (planners only; auditors read)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from accounts.selectors import team_get_for
from audits import selectors, services
from audits.models import BankQuestion
from audits.services.audits import CLAUSE
from audits.services.bank import QUESTION_MAX
from core.api.base import ScopedViewSetMixin, valid
from core.selectors import history_entries

SEARCH_MAX = 200


class BankQuestionSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    document_number = serializers.CharField(source="document.number", read_only=True, default=None)

    class Meta:
        model = BankQuestion
        fields = [
            "id",
            "team",
            "team_name",
            "question",
            "clause",
            "guidance",
            "document",
            "document_number",
            "active",
            "retired_at",
            "created_at",
        ]
        read_only_fields = fields


class _BankFields(serializers.Serializer):
    question = serializers.CharField(max_length=QUESTION_MAX)
    clause = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    guidance = serializers.CharField(required=False, allow_blank=True, max_length=20_000, default="")
    document = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="A document of the same team."
    )


class BankQuestionCreateSerializer(_BankFields):
    team = serializers.IntegerField(min_value=1)


class BankQuestionUpdateSerializer(_BankFields):
    active = serializers.BooleanField(required=False, help_text="false retires the question, true reinstates it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField()
    action = serializers.CharField()
    reason = serializers.CharField()
    changes = HistoryChangeSerializer(many=True)


class BankQuestionViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A team's question bank (question, ISO 9001 clause, linked document, guidance). QA managers
    (planners) add, change, retire and reinstate; auditors of the team read."""

    model = BankQuestion
    serializer_class = BankQuestionSerializer
    filter_backends: list = []
    filter_params = frozenset({"team", "clause", "search", "active"})
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self, user):
        if self.action != "list":
            return selectors.bank_list_for(user, active=None)
        clause = self.request.query_params.get("clause", "").strip()
        if clause and not CLAUSE.match(clause):
            raise DRFValidationError({"clause": "Give an ISO 9001 clause such as 7.5.3."})
        search = self.request.query_params.get("search", "").strip()
        if len(search) > SEARCH_MAX or "\x00" in search:
            raise DRFValidationError({"search": f"At most {SEARCH_MAX} characters, no control characters."})
        return selectors.bank_list_for(
            user, team_id=self.int_param("team"), clause=clause, search=search, active=self.bool_param("active")
        )

    def get_object(self):
        return selectors.bank_question_get_for(self.request.user, int(self.kwargs["pk"]))

    def _answer(self, question_id: int, code=status.HTTP_200_OK):
        item = selectors.bank_question_get_for(self.request.user, question_id)
        return Response(BankQuestionSerializer(item).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("team", int),
            OpenApiParameter("clause", str, description="A clause and its sub-clauses: 7.5 finds 7.5.3."),
            OpenApiParameter("search", str, description="Words in the question or guidance."),
            OpenApiParameter("active", bool, description="false: retired only; true: offered only; absent: all."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=BankQuestionCreateSerializer, responses={201: BankQuestionSerializer})
    def create(self, request):
        data = dict(valid(BankQuestionCreateSerializer, request))
        team = team_get_for(request.user, team_id=data.pop("team"))
        item = services.bank_question_create(
            team=team,
            question=data["question"],
            clause=data["clause"],
            guidance=data["guidance"],
            document_id=data.get("document"),
            by=request.user,
        )
        return self._answer(item.pk, status.HTTP_201_CREATED)

    @extend_schema(request=BankQuestionUpdateSerializer, responses=BankQuestionSerializer)
    def partial_update(self, request, pk=None):
        item = self.get_object()
        services.bank_question_update(
            question_id=item.pk, by=request.user, **valid(BankQuestionUpdateSerializer, request)
        )
        return self._answer(item.pk)

    @extend_schema(request=None, responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        return Response(HistoryEntrySerializer(history_entries(self.get_object()), many=True).data)

"""CAPA API: reads through scoped selectors, every transition a POST action calling one service."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import team_get_for
from capa import selectors, services
from capa.models import CorrectiveAction, Nonconformity
from core.api.base import ScopedViewSetMixin, valid
from core.api.parsers import BoundedJSONParser
from core.exceptions import ValidationError

from . import serializers as s


def _user(user_id: int, field: str) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationError({field: "Choose a member of the team."})
    return user


class NonconformityViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Nonconformities of your teams (ISO 9001 10.2). Post reviews and audits raise them too."""

    model = Nonconformity
    serializer_class = s.NonconformitySerializer
    filterset_fields = ["team", "status", "severity", "source_kind", "category"]
    filter_params = frozenset(filterset_fields)

    def scoped_queryset(self, user):
        # "source": one query per source type, not one per NC.
        return selectors.nonconformity_list_for(user).prefetch_related("containments__recorded_by", "source")

    def get_object(self):
        return selectors.nonconformity_get_for(self.request.user, int(self.kwargs["pk"]))

    def _answer(self, nc_id: int, code=status.HTTP_200_OK):
        nc = selectors.nonconformity_get_for(self.request.user, nc_id)
        return Response(s.NonconformitySerializer(nc).data, status=code)

    @extend_schema(request=s.NonconformityCreateSerializer, responses={201: s.NonconformitySerializer})
    def create(self, request):
        data = valid(s.NonconformityCreateSerializer, request)
        team = team_get_for(request.user, team_id=data.pop("team"))
        nc = services.nonconformity_raise(source=None, team=team, by=request.user, **data)
        return self._answer(nc.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.ContainmentCreateSerializer, responses={201: s.NonconformitySerializer})
    @action(detail=True, methods=["post"])
    def contain(self, request, pk=None):
        nc = self.get_object()
        services.nonconformity_contain(
            nonconformity_id=nc.pk, by=request.user, **valid(s.ContainmentCreateSerializer, request)
        )
        return self._answer(nc.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.NoActionSerializer, responses={200: s.NonconformitySerializer})
    @action(detail=True, methods=["post"], url_path="no-action")
    def no_action(self, request, pk=None):
        nc = self.get_object()
        services.nonconformity_decide_no_action(
            nonconformity_id=nc.pk, by=request.user, **valid(s.NoActionSerializer, request)
        )
        return self._answer(nc.pk)

    @extend_schema(request=s.OpenCapaSerializer, responses={201: s.CapaSerializer})
    @action(detail=True, methods=["post"], url_path="open-capa")
    def open_capa(self, request, pk=None):
        nc = self.get_object()
        data = valid(s.OpenCapaSerializer, request)
        capa = services.nonconformity_open_capa(
            nonconformity_id=nc.pk,
            owner=_user(data["owner"], "owner"),
            title=data["title"],
            follows_id=data["follows"],
            by=request.user,
        )
        capa = selectors.capa_get_for(request.user, capa.pk)
        return Response(s.CapaSerializer(capa).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.LinkCapaSerializer, responses={200: s.NonconformitySerializer})
    @action(detail=True, methods=["post"], url_path="link-capa")
    def link_capa(self, request, pk=None):
        nc = self.get_object()
        capa = selectors.capa_get_for(request.user, valid(s.LinkCapaSerializer, request)["capa"])
        services.nonconformity_link_capa(nonconformity_id=nc.pk, capa_id=capa.pk, by=request.user)
        return self._answer(nc.pk)


class CapaViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Corrective actions: open → investigating → action_plan → implementing → verifying → closed.

    A forbidden transition answers 409 with the current status; another team's CAPA is 404.
    """

    model = CorrectiveAction
    serializer_class = s.CapaSerializer
    filterset_fields = ["team", "status", "owner"]
    filter_params = frozenset(filterset_fields)

    def scoped_queryset(self, user):
        return selectors.capa_list_for(user).prefetch_related("nonconformities", "checks__checked_by")

    def get_object(self):
        return selectors.capa_get_for(self.request.user, int(self.kwargs["pk"]))

    def _answer(self, capa_id: int):
        return Response(s.CapaSerializer(selectors.capa_get_for(self.request.user, capa_id)).data)

    def _step(self, service, serializer_class=None, **extra):
        capa = self.get_object()
        data = valid(serializer_class, self.request) if serializer_class else {}
        service(capa_id=capa.pk, by=self.request.user, **data, **extra)
        return self._answer(capa.pk)

    @extend_schema(request=None, responses=s.CapaSerializer)
    @action(detail=True, methods=["post"], url_path="start-investigation")
    def start_investigation(self, request, pk=None):
        return self._step(services.capa_start_investigation)

    @extend_schema(request=s.RootCauseSerializer, responses=s.CapaSerializer)
    @action(detail=True, methods=["post"], url_path="set-root-cause")
    def set_root_cause(self, request, pk=None):
        return self._step(services.capa_set_root_cause, s.RootCauseSerializer)

    @extend_schema(request=None, responses=s.CapaSerializer)
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        return self._step(services.capa_plan)

    @extend_schema(request=None, responses=s.CapaSerializer)
    @action(detail=True, methods=["post"])
    def implement(self, request, pk=None):
        return self._step(services.capa_implement)

    @extend_schema(request=s.StartVerificationSerializer, responses=s.CapaSerializer)
    @action(detail=True, methods=["post"], url_path="start-verification")
    def start_verification(self, request, pk=None):
        return self._step(services.capa_start_verification, s.StartVerificationSerializer)

    @extend_schema(request=s.VerifySerializer, responses=s.CapaSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._step(services.capa_verify, s.VerifySerializer)

    @extend_schema(request=s.CloseSerializer, responses=s.CapaSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(services.capa_close, s.CloseSerializer)

    @extend_schema(request=s.CancelSerializer, responses=s.CapaSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(services.capa_cancel, s.CancelSerializer)

    @extend_schema(methods=["GET"], request=None, responses=s.ActionItemSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.ActionItemCreateSerializer, responses={201: s.ActionItemSerializer})
    @action(detail=True, methods=["get", "post"], url_path="actions", pagination_class=None, filterset_fields=[])
    def actions(self, request, pk=None):
        capa = self.get_object()
        if request.method == "GET":
            return Response(s.ActionItemSerializer(capa.items.all(), many=True).data)
        data = valid(s.ActionItemCreateSerializer, request)
        data["owner"] = _user(data["owner"], "owner")
        item = services.action_item_add(capa_id=capa.pk, by=request.user, **data)
        return Response(s.ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": s.ActionItemCompleteSerializer,
            "application/json": s.ActionItemCompleteSerializer,
        },
        responses=s.ActionItemSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"actions/(?P<item_id>[0-9]+)/complete",
        parser_classes=[BoundedJSONParser, MultiPartParser, FormParser],
        filterset_fields=[],
    )
    def complete_action(self, request, pk=None, item_id=None):
        capa = self.get_object()
        item = selectors.action_item_get_for(request.user, int(item_id))
        if item.corrective_action_id != capa.pk:
            from core.exceptions import NotFound

            raise NotFound("No such action item.")
        data = valid(s.ActionItemCompleteSerializer, request)
        evidence = [data["evidence"]] if data["evidence"] else []
        item = services.action_item_complete(item_id=item.pk, note=data["note"], evidence=evidence, by=request.user)
        item = selectors.action_item_get_for(request.user, item.pk)
        return Response(s.ActionItemSerializer(item).data)

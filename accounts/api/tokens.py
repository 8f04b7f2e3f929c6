"""The caller's own API tokens: listed by name and prefix (never the key), revoked by id."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from accounts.api.serializers import ApiTokenSerializer
from accounts.models import ApiToken
from accounts.selectors import api_tokens_of
from accounts.services import api_token_revoke
from core.api.base import ScopedViewSetMixin


class ApiTokenViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    model = ApiToken
    serializer_class = ApiTokenSerializer

    def scoped_queryset(self, user):
        return api_tokens_of(user)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk: int):
        api_token_revoke(token_id=pk, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

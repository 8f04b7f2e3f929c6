import logging

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from accounts.api.serializers import LockedOutSerializer, MeSerializer, TokenRequestSerializer, TokenResponseSerializer
from accounts.models import User
from accounts.selectors import memberships_of
from accounts.services import api_token_create
from core.exceptions import ValidationError

log = logging.getLogger("qms.security")

BAD_CREDENTIALS = "The username or password is not correct."


class TokenThrottle(AnonRateThrottle):
    rate = "30/min"

    def allow_request(self, request, view) -> bool:
        # The rate limit lives in the cache. It is a courtesy on top of the lockout, which lives
        # in the database (django-axes): with the cache down, logging in must still work, so
        # the limit fails open instead of turning the login into a 500.
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache backend's own errors (redis.ConnectionError, ...)
            log.warning("token rate limit skipped: the cache is unavailable", exc_info=True)
            return True


class TokenView(generics.GenericAPIView):
    """Exchange a username and password for a new API token (same lockout rules as the login page).

    Each call issues a new token; the key is in this answer only (the server keeps its hash).
    Wrong credentials are a 400 on `password`; a locked-out username and address a 429.
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = TokenRequestSerializer
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="Missing fields, or the username or password is not correct."),
            429: OpenApiResponse(LockedOutSerializer, description="Locked out after too many failures."),
        },
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A locked-out pair makes authenticate() return None and flags the request; AxesMiddleware
        # then answers with accounts.lockout (JSON 429 under /api/) instead of this 400.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise ValidationError({"password": BAD_CREDENTIALS})
        token, key = api_token_create(user=user, by=user, name=data.get("name", ""))
        token.token = key
        return Response(
            TokenResponseSerializer(token).data, status=status.HTTP_200_OK, headers={"Cache-Control": "no-store"}
        )


class MeView(generics.RetrieveAPIView):
    """The current user with their teams and roles."""

    serializer_class = MeSerializer

    def get_object(self) -> User:
        user = self.request.user
        user.memberships_list = list(memberships_of(user))
        return user

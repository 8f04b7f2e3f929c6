from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from accounts.api.serializers import MeSerializer, TokenRequestSerializer, TokenResponseSerializer
from accounts.models import User
from accounts.selectors import memberships_of
from accounts.services import api_token_for


class TokenThrottle(AnonRateThrottle):
    rate = "30/min"


class TokenView(generics.GenericAPIView):
    """Exchange a username and password for an API token (same lockout rules as the login page)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = TokenRequestSerializer
    throttle_classes = [TokenThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed("Unable to log in with these credentials.")
        return Response({"token": api_token_for(user)}, status=status.HTTP_200_OK)


class MeView(generics.RetrieveAPIView):
    """The current user with their teams and roles."""

    serializer_class = MeSerializer

    def get_object(self) -> User:
        user = self.request.user
        user.memberships_list = list(memberships_of(user))
        return user

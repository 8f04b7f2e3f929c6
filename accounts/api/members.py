"""A team's members and roles: any member reads them, the team's admins change them (services)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from accounts.api.serializers import TeamMemberAddSerializer, TeamMemberChangeSerializer, TeamMemberSerializer
from accounts.models import Membership
from accounts.selectors import membership_list_for, team_get_for, user_by_username
from accounts.services import membership_change_role, membership_grant, membership_revoke
from accounts.services.memberships import REASON_MAX
from core.api.base import ScopedViewSetMixin, valid
from core.exceptions import ValidationError


class TeamMemberViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members of one of your teams. Adding, changing and removing need the team's admin right;
    nobody changes their own roles, and a team keeps at least one admin."""

    model = Membership
    serializer_class = TeamMemberSerializer

    def scoped_queryset(self, user):
        return membership_list_for(user, team_id=self.kwargs["team_id"])

    @extend_schema(request=TeamMemberAddSerializer, responses={201: TeamMemberSerializer})
    def create(self, request, team_id: int):
        team = team_get_for(request.user, team_id=team_id)
        data = valid(TeamMemberAddSerializer, request)
        user = user_by_username(data["username"])
        if user is None:
            raise ValidationError({"username": "No active account has this username."})
        membership = membership_grant(
            team=team, user=user, role=data["role"], by=request.user, reason=data.get("reason", "")
        )
        return Response(TeamMemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TeamMemberChangeSerializer, responses={200: TeamMemberSerializer})
    def partial_update(self, request, team_id: int, pk: int):
        data = valid(TeamMemberChangeSerializer, request)
        membership = membership_change_role(
            team_id=team_id, membership_id=pk, role=data["role"], by=request.user, reason=data.get("reason", "")
        )
        return Response(TeamMemberSerializer(membership).data)

    @extend_schema(
        parameters=[OpenApiParameter("reason", str, description=f"Why (up to {REASON_MAX} characters).")],
        responses={204: None},
    )
    def destroy(self, request, team_id: int, pk: int):
        membership_revoke(
            team_id=team_id, membership_id=pk, by=request.user, reason=request.query_params.get("reason", "")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

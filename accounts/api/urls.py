from django.urls import path

from accounts.api import views
from accounts.api.members import TeamMemberViewSet
from accounts.api.tokens import ApiTokenViewSet

members = TeamMemberViewSet.as_view({"get": "list", "post": "create"})
member = TeamMemberViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})

tokens = ApiTokenViewSet.as_view({"get": "list"})
token = ApiTokenViewSet.as_view({"delete": "destroy"})

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", tokens, name="api-tokens"),
    path("auth/tokens/<int:pk>/", token, name="api-token-revoke"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("teams/<int:team_id>/members/", members, name="api-team-members"),
    path("teams/<int:team_id>/members/<int:pk>/", member, name="api-team-member"),
]

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token-create"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/switch/", views.team_switch, name="team-switch"),
    path("teams/<int:team_id>/", views.team_detail, name="team-detail"),
    path("teams/<int:team_id>/members/", views.team_members, name="team-members"),
    path("teams/<int:team_id>/members/<int:membership_id>/role/", views.team_member_role, name="team-member-role"),
    path(
        "teams/<int:team_id>/members/<int:membership_id>/remove/", views.team_member_remove, name="team-member-remove"
    ),
]

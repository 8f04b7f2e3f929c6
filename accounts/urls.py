from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/switch/", views.team_switch, name="team-switch"),
    path("teams/<int:team_id>/", views.team_detail, name="team-detail"),
]

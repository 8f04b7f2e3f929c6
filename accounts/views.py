from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import (
    LoginForm,
    MemberAddForm,
    MemberRemoveForm,
    MemberRoleForm,
    TeamSwitchForm,
    TokenCreateForm,
)
from accounts.models import Team
from accounts.permissions import can_manage_team, team_ids_managed_by, team_ids_of
from accounts.roles import Role
from accounts.selectors import (
    api_tokens_of,
    membership_history_for,
    membership_list_for,
    memberships_of,
    team_get_for,
    team_list_for,
    user_by_username,
)
from accounts.services import (
    api_token_create,
    api_token_revoke,
    membership_change_role,
    membership_grant,
    membership_revoke,
)
from core.exceptions import PermissionDenied
from core.views.helpers import domain_errors, run_service


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


@require_POST
def team_switch(request):
    form = TeamSwitchForm(request.POST)
    form.is_valid()
    value = form.cleaned_data.get("team", "")
    if value.isdecimal() and int(value) in team_ids_of(request.user):
        request.session["active_team_id"] = int(value)
    else:
        request.session.pop("active_team_id", None)
    target = form.cleaned_data.get("next") or reverse("core:dashboard")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("core:dashboard")
    return HttpResponseRedirect(target)


@require_GET
def team_list(request):
    return render(
        request,
        "accounts/team_list.html",
        {"teams": team_list_for(request.user), "managed_team_ids": team_ids_managed_by(request.user)},
    )


@require_GET
@domain_errors
def team_detail(request, team_id: int):
    team = team_get_for(request.user, team_id=team_id)
    return render(
        request,
        "accounts/team_detail.html",
        {
            "team": team,
            "members": team.memberships.all(),
            "can_manage": can_manage_team(request.user, team.pk),
        },
    )


# --- team administration: the team's own admins, through the audited services ---------------


def _managed_team(request, team_id: int) -> Team:
    """Another team is a 404; a member without the right to manage it gets a 403."""
    team = team_get_for(request.user, team_id=team_id)
    if not can_manage_team(request.user, team.pk):
        raise PermissionDenied("Only an admin of this team can change its members and roles.")
    return team


def _members_page(request, team: Team, *, add_form: MemberAddForm, status: int = 200):
    members = list(membership_list_for(request.user, team_id=team.pk))
    admins = sum(1 for m in members if m.role == Role.ADMIN and m.user.is_active)
    return render(
        request,
        "accounts/team_members.html",
        {
            "team": team,
            "members": members,
            "admin_count": admins,
            "roles": Role.choices,
            "add_form": add_form,
            "history": membership_history_for(request.user, team_id=team.pk),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def team_members(request, team_id: int):
    team = _managed_team(request, team_id)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = user_by_username(data["username"])
        if user is None:
            form.add_error("username", "No active account has this username.")
        elif run_service(
            request,
            lambda: membership_grant(team=team, user=user, role=data["role"], by=request.user, reason=data["reason"]),
            success=f"{user} is now {Role(data['role']).label} in {team}.",
            form=form,
        ):
            return redirect("accounts:team-members", team.pk)
    return _members_page(request, team, add_form=form, status=400 if request.method == "POST" else 200)


@require_POST
@domain_errors
def team_member_role(request, team_id: int, membership_id: int):
    team = _managed_team(request, team_id)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            lambda: membership_change_role(
                team_id=team.pk, membership_id=membership_id, role=data["role"], by=request.user, reason=data["reason"]
            ),
            success="Role changed.",
        )
    else:
        messages.error(request, "Choose one of the roles.")
    return redirect("accounts:team-members", team.pk)


@require_POST
@domain_errors
def team_member_remove(request, team_id: int, membership_id: int):
    team = _managed_team(request, team_id)
    form = MemberRemoveForm(request.POST)
    form.is_valid()
    run_service(
        request,
        lambda: membership_revoke(
            team_id=team.pk, membership_id=membership_id, by=request.user, reason=form.cleaned_data.get("reason", "")
        ),
        success="Role removed.",
    )
    return redirect("accounts:team-members", team.pk)


# --- profile and API tokens ---------------------------------------------------------------------


def _profile_page(request, *, token_form: TokenCreateForm, new_key: str = "", status: int = 200):
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": memberships_of(request.user),
            "tokens": api_tokens_of(request.user),
            "token_form": token_form,
            "new_key": new_key,
        },
        status=status,
    )


@require_GET
def profile(request):
    return _profile_page(request, token_form=TokenCreateForm())


@require_POST
@never_cache
def token_create(request):
    """The new key is in this one answer (never stored, never in a message or the session)."""
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, token_form=form, status=400)
    _token, key = api_token_create(user=request.user, by=request.user, name=form.cleaned_data["name"])
    return _profile_page(request, token_form=TokenCreateForm(), new_key=key)


@require_POST
@domain_errors
def token_revoke(request, token_id: int):
    run_service(request, lambda: api_token_revoke(token_id=token_id, by=request.user), success="Token revoked.")
    return redirect("accounts:profile")

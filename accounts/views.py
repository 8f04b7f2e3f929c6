from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import LoginForm, TeamSwitchForm
from accounts.permissions import can_manage_team, team_ids_of
from accounts.selectors import memberships_of, team_get_for, team_list_for
from core.views.helpers import domain_errors


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
    return render(request, "accounts/team_list.html", {"teams": team_list_for(request.user)})


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


@require_GET
def profile(request):
    return render(request, "accounts/profile.html", {"memberships": memberships_of(request.user)})

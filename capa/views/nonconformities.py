"""Nonconformity pages: raise, contain, decide, open or link a CAPA."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import team_list_for
from core.exceptions import (
    PermissionDenied,
)
from core.views.helpers import domain_errors, run_service

from .. import forms, permissions, selectors, services
from ._common import _teams

# --- nonconformities ---------------------------------------------------------------------------


def _raise_teams(request):
    allowed = permissions.raise_team_ids(request.user) & _teams(request)
    return [t for t in team_list_for(request.user) if t.pk in allowed]


@require_http_methods(["GET", "POST"])
@domain_errors
def nc_raise(request):
    teams = _raise_teams(request)
    if not teams:
        raise PermissionDenied("You can't raise nonconformities.")
    form = forms.NonconformityForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = next(t for t in teams if t.pk == data["team"])
        outcome = run_service(
            request,
            lambda: services.nonconformity_raise(
                source=None,
                source_kind=data["source_kind"],
                team=team,
                category=data["category"],
                severity=data["severity"],
                title=data["title"],
                description=data["description"],
                by=request.user,
            ),
            form=form,
        )
        if outcome:
            nc = outcome.value
            messages.success(request, f"{nc.reference} raised.")
            return HttpResponseRedirect(nc.get_absolute_url())
    team_id = form["team"].value() or (teams[0].pk if teams else None)
    category = form["category"].value() or forms.Category.choices[0][0]
    similar = _similar(request, team_id, category)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "capa/nc_form.html", {"form": form, "similar": similar}, status=status)


def _similar(request, team_id, category, exclude_id=None):
    try:
        team_id = int(team_id)
    except (TypeError, ValueError):
        return []
    return list(
        selectors.similar_open_nonconformities(
            request.user, team_id=team_id, category=str(category), exclude_id=exclude_id
        )
    )


@require_GET
def nc_similar(request):
    similar = _similar(request, request.GET.get("team"), request.GET.get("category", ""))
    return render(request, "capa/nc_form.html#similar", {"similar": similar})


def _nc_context(request, nc, **bound) -> dict:
    user = request.user
    can_work = permissions.can_work(user, nc)
    capas = selectors.open_capas_of_team(user, team_id=nc.team_id)
    context = {
        "nc": nc,
        "containments": list(nc.containments.all()),
        "can_work": can_work and not nc.is_closed,
        "can_sign": permissions.can_sign(user, nc),
        "can_decide": nc.awaiting_decision,
        "contain_form": forms.ContainmentForm(prefix="contain"),
        "no_action_form": forms.NoActionForm(prefix="noaction"),
        "open_capa_form": forms.OpenCapaForm(prefix="open", team_id=nc.team_id, initial={"owner": user.pk}),
        "link_form": forms.LinkCapaForm(prefix="link", capas=capas),
        "has_open_capas": capas.exists(),
        "similar": _similar(request, nc.team_id, nc.category, exclude_id=nc.pk),
    }
    context.update(bound)
    return context


@require_GET
@domain_errors
def nc_detail(request, nc_id: int):
    nc = selectors.nonconformity_get_for(request.user, nc_id)
    return render(request, "capa/nc_detail.html", _nc_context(request, nc))


def _nc_step(request, nc_id, form_key, build, call, done_message) -> HttpResponse:
    nc = selectors.nonconformity_get_for(request.user, nc_id)
    form = build(nc)
    if form.is_valid() and run_service(request, lambda: call(nc, form.cleaned_data), form=form):
        messages.success(request, done_message)
        return HttpResponseRedirect(nc.get_absolute_url())
    nc = selectors.nonconformity_get_for(request.user, nc_id)
    return render(request, "capa/nc_detail.html", _nc_context(request, nc, **{form_key: form}), status=400)


@require_POST
@domain_errors
def nc_contain(request, nc_id: int):
    return _nc_step(
        request,
        nc_id,
        "contain_form",
        lambda nc: forms.ContainmentForm(request.POST, prefix="contain"),
        lambda nc, d: services.nonconformity_contain(
            nonconformity_id=nc.pk,
            disposition=d["disposition"],
            description=d["description"],
            done_at=d["done_at"],
            password=d["password"],
            by=request.user,
        ),
        "Containment recorded.",
    )


@require_POST
@domain_errors
def nc_no_action(request, nc_id: int):
    return _nc_step(
        request,
        nc_id,
        "no_action_form",
        lambda nc: forms.NoActionForm(request.POST, prefix="noaction"),
        lambda nc, d: services.nonconformity_decide_no_action(
            nonconformity_id=nc.pk, justification=d["justification"], password=d["password"], by=request.user
        ),
        "Decision signed: no corrective action needed.",
    )


@require_POST
@domain_errors
def nc_open_capa(request, nc_id: int):
    nc = selectors.nonconformity_get_for(request.user, nc_id)
    form = forms.OpenCapaForm(request.POST, prefix="open", team_id=nc.team_id)
    if form.is_valid():
        outcome = run_service(
            request,
            lambda: services.nonconformity_open_capa(
                nonconformity_id=nc.pk,
                owner=form.cleaned_data["owner"],
                title=form.cleaned_data["title"],
                by=request.user,
            ),
            form=form,
        )
        if outcome:
            capa = outcome.value
            messages.success(request, f"{capa.reference} opened.")
            return HttpResponseRedirect(capa.get_absolute_url())
    return render(request, "capa/nc_detail.html", _nc_context(request, nc, open_capa_form=form), status=400)


@require_POST
@domain_errors
def nc_link_capa(request, nc_id: int):
    return _nc_step(
        request,
        nc_id,
        "link_form",
        lambda nc: forms.LinkCapaForm(
            request.POST, prefix="link", capas=selectors.open_capas_of_team(request.user, team_id=nc.team_id)
        ),
        lambda nc, d: services.nonconformity_link_capa(nonconformity_id=nc.pk, capa_id=d["capa"].pk, by=request.user),
        "Linked to the open corrective action.",
    )

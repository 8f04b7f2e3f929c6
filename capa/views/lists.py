"""CAPA and nonconformity lists and the board."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import team_list_for

from .. import forms, selectors
from ._common import _bad_filters, _page, _query, _teams

# --- lists -------------------------------------------------------------------------------------


@require_GET
def board(request):
    columns = selectors.capa_board(request.user, team_ids=_teams(request))
    return render(request, "capa/board.html", {"columns": columns})


@require_GET
def capa_list(request):
    teams = team_list_for(request.user)
    owners = selectors.capa_owners_for(request.user)
    form = forms.CapaFilterForm(request.GET or None, teams=teams, owners=owners)
    if form.is_bound and not form.is_valid():
        return _bad_filters(request, "capa/capa_list.html", form)
    filters = form.cleaned_data if form.is_bound else {}
    qs = selectors.capa_filtered(request.user, team_ids=_teams(request), filters=filters)
    return render(request, "capa/capa_list.html", {"form": form, "page": _page(request, qs), "query": _query(request)})


@require_GET
def nc_list(request):
    form = forms.NcFilterForm(request.GET or None, teams=team_list_for(request.user))
    if form.is_bound and not form.is_valid():
        return _bad_filters(request, "capa/nc_list.html", form)
    filters = form.cleaned_data if form.is_bound else {}
    qs = selectors.nonconformity_filtered(request.user, team_ids=_teams(request), filters=filters)
    return render(request, "capa/nc_list.html", {"form": form, "page": _page(request, qs), "query": _query(request)})

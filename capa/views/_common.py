"""CAPA pages. Thin: a form checks the shape, a service does the work, errors go next to fields."""

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import render

from accounts.selectors import active_team_ids
from core.views.helpers import active_team_id

PAGE_SIZE = 25


def _teams(request: HttpRequest) -> set[int]:
    return active_team_ids(request.user, active_team_id(request))


def _page(request: HttpRequest, qs):
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    return Paginator(qs, PAGE_SIZE).get_page(number)


def _bad_filters(request, template: str, form):
    """A filter value that isn't one of the choices is shown next to its field (400), never
    silently dropped, which would list every row as if it matched."""
    page = Paginator([], PAGE_SIZE).get_page(1)
    return render(request, template, {"form": form, "page": page, "query": ""}, status=400)


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()

"""CAPA pages. Thin: a form checks the shape, a service does the work, errors go next to fields."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import active_team_ids, team_list_for
from core.exceptions import (
    PermissionDenied,
)
from core.selectors import attachments_by_record
from core.views.helpers import active_team_id, domain_errors, run_service

from . import forms, permissions, selectors, services
from .models import CauseCategory, CheckResult
from .workflow import Status, available_steps

PAGE_SIZE = 25


def _teams(request: HttpRequest) -> set[int]:
    return active_team_ids(request.user, active_team_id(request))


def _page(request: HttpRequest, qs):
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    return Paginator(qs, PAGE_SIZE).get_page(number)


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


def _bad_filters(request, template: str, form):
    """A filter value that isn't one of the choices is shown next to its field (400), never
    silently dropped, which would list every row as if it matched."""
    page = Paginator([], PAGE_SIZE).get_page(1)
    return render(request, template, {"form": form, "page": page, "query": ""}, status=400)


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


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


# --- corrective actions ------------------------------------------------------------------------


def _complete_form(item, data=None, files=None) -> forms.ItemCompleteForm:
    return forms.ItemCompleteForm(data, files, prefix=f"done-{item.pk}")


def _capa_context(request, capa, **bound) -> dict:
    user = request.user
    items = list(capa.items.all())
    checks = list(capa.checks.all())
    evidence = attachments_by_record(items)
    check_evidence = attachments_by_record(checks)
    can_work = permissions.can_work(user, capa) and not capa.is_final
    context = {
        "capa": capa,
        "ncs": list(capa.nonconformities.all()),
        "items": [
            (
                item,
                evidence[item.pk],
                permissions.can_complete_item(user, item),
                bound.pop("complete_form") if bound.get("complete_item_id") == item.pk else _complete_form(item),
            )
            for item in items
        ],
        "steps": available_steps(capa, items=items, checks=checks),
        "checks": [(check, check_evidence[check.pk]) for check in checks],
        "last_check": checks[-1] if checks else None,
        "fishbone": [(CauseCategory(k).label, v) for k, v in (capa.fishbone or {}).items()],
        "can_work": can_work,
        "can_sign": permissions.can_sign(user, capa) and not capa.is_final,
        "Status": Status,
        "CheckResult": CheckResult,
        "root_cause_form": forms.RootCauseForm(prefix="rc", initial=forms.RootCauseForm.initial_for(capa)),
        "item_form": forms.ActionItemForm(prefix="item", team_id=capa.team_id),
        "verification_form": forms.VerificationForm(prefix="ver"),
        "verify_form": forms.VerifyForm(prefix="verify"),
        "close_form": forms.CloseForm(prefix="close"),
        "cancel_form": forms.CancelForm(prefix="cancel"),
    }
    context.update(bound)
    return context


@require_GET
@domain_errors
def capa_detail(request, capa_id: int):
    capa = selectors.capa_get_for(request.user, capa_id)
    return render(request, "capa/capa_detail.html", _capa_context(request, capa))


def _simple(call):
    return lambda request, capa, form: call(capa_id=capa.pk, by=request.user)


# step -> (context key of its form, form factory, service call, message)
STEPS: dict[str, tuple] = {
    "start-investigation": (None, None, _simple(services.capa_start_investigation), "Investigation started."),
    "plan": (None, None, _simple(services.capa_plan), "Action plan started."),
    "implement": (None, None, _simple(services.capa_implement), "Implementation started."),
    "root-cause": (
        "root_cause_form",
        lambda request, capa: forms.RootCauseForm(request.POST, prefix="rc"),
        lambda request, capa, form: services.capa_set_root_cause(
            capa_id=capa.pk, by=request.user, **form.service_kwargs()
        ),
        "Root cause recorded.",
    ),
    "add-item": (
        "item_form",
        lambda request, capa: forms.ActionItemForm(request.POST, prefix="item", team_id=capa.team_id),
        lambda request, capa, form: services.action_item_add(capa_id=capa.pk, by=request.user, **form.cleaned_data),
        "Action item added.",
    ),
    "start-verification": (
        "verification_form",
        lambda request, capa: forms.VerificationForm(request.POST, prefix="ver"),
        lambda request, capa, form: services.capa_start_verification(
            capa_id=capa.pk, by=request.user, **form.cleaned_data
        ),
        "Verification started.",
    ),
    "verify": (
        "verify_form",
        lambda request, capa: forms.VerifyForm(request.POST, request.FILES, prefix="verify"),
        lambda request, capa, form: services.capa_verify(
            capa_id=capa.pk,
            result=form.cleaned_data["result"],
            evidence=form.cleaned_data["evidence"],
            reason=form.cleaned_data["reason"],
            evidence_files=[f for f in [form.cleaned_data["evidence_file"]] if f],
            by=request.user,
        ),
        "Effectiveness check recorded.",
    ),
    "close": (
        "close_form",
        lambda request, capa: forms.CloseForm(request.POST, prefix="close"),
        lambda request, capa, form: services.capa_close(
            capa_id=capa.pk,
            password=form.cleaned_data["password"],
            comment=form.cleaned_data["comment"],
            by=request.user,
        ),
        "Closed and signed.",
    ),
    "cancel": (
        "cancel_form",
        lambda request, capa: forms.CancelForm(request.POST, prefix="cancel"),
        lambda request, capa, form: services.capa_cancel(
            capa_id=capa.pk, reason=form.cleaned_data["reason"], by=request.user
        ),
        "Cancelled.",
    ),
}


@require_POST
@domain_errors
def capa_step(request, capa_id: int, step: str):
    if step not in STEPS:
        raise Http404("No such step.")
    capa = selectors.capa_get_for(request.user, capa_id)
    key, build, call, message = STEPS[step]
    form = build(request, capa) if build else forms.BootstrapForm(request.POST)
    if form.is_valid() and run_service(request, lambda: call(request, capa, form), form=form):
        messages.success(request, message)
        return HttpResponseRedirect(capa.get_absolute_url())
    capa = selectors.capa_get_for(request.user, capa_id)
    bound = {key: form} if key else {"step_errors": form.non_field_errors()}
    return render(request, "capa/capa_detail.html", _capa_context(request, capa, **bound), status=400)


@require_POST
@domain_errors
def item_complete(request, capa_id: int, item_id: int):
    capa = selectors.capa_get_for(request.user, capa_id)
    item = selectors.action_item_get_for(request.user, item_id)
    if item.corrective_action_id != capa.pk:
        raise Http404("No such action item.")
    form = _complete_form(item, request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["evidence"]
        done = run_service(
            request,
            lambda: services.action_item_complete(
                item_id=item.pk,
                note=form.cleaned_data["note"],
                evidence=[upload] if upload else [],
                by=request.user,
            ),
            form=form,
        )
        if done:
            messages.success(request, "Action marked done.")
            return HttpResponseRedirect(capa.get_absolute_url())
    capa = selectors.capa_get_for(request.user, capa_id)
    context = _capa_context(request, capa, complete_form=form, complete_item_id=item.pk)
    return render(request, "capa/capa_detail.html", context, status=400)

"""Corrective action pages: the steps from investigation to signed closure."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from core.selectors import attachments_by_record
from core.views.helpers import domain_errors, run_service

from .. import forms, permissions, selectors, services
from ..models import CauseCategory, CheckResult
from ..workflow import Status, available_steps

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

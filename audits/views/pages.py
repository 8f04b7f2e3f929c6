"""Audit pages: lists, programmes, the audit and its steps, the report."""

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import team_ids_with_right
from accounts.roles import Right
from accounts.selectors import team_list_for
from audits import forms, pdf, selectors, services
from audits import permissions as perms
from audits.workflow import Status
from core.views.helpers import domain_errors


def _can(user, audit) -> dict:
    """What the page offers: exactly the steps the services would accept from this user now."""
    status = audit.status
    return {
        "edit": perms.can_edit_plan(user, audit) and status == Status.PLANNED,
        "start": perms.can_start(user, audit) and status == Status.PLANNED,
        "report": perms.can_report(user, audit) and status == Status.IN_PROGRESS,
        "write_report": perms.can_report(user, audit) and audit.is_working,
        "close": perms.can_close(user, audit) and status == Status.REPORTING,
        "cancel": perms.can_cancel(user, audit) and status in (Status.PLANNED, Status.IN_PROGRESS),
        "override": perms.can_override_independence(user, audit) and not audit.is_final,
        "checklist": (perms.can_run(user, audit) or perms.can_edit_plan(user, audit)) and not audit.is_final,
        "answer": perms.can_run(user, audit) and audit.is_working,
        "sample": perms.can_run(user, audit) and audit.audit_type == "content" and not audit.sampling_lot_id,
    }


def _audit(request, audit_id: int):
    return selectors.audit_get_for(request.user, audit_id)


def _back(audit, name: str = "audits:detail") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(name, args=[audit.pk]))


# --- lists and programmes -------------------------------------------------------------------------


@require_GET
@domain_errors
def audit_list(request):
    if not perms.can_see_audits(request.user):
        raise Http404("No audits.")
    form = forms.AuditFilterForm(request.GET or None)
    status = 200
    filters = {}
    if form.is_bound:
        if form.is_valid():
            filters = form.cleaned_data
        else:
            status = 400
    after = _after(request.GET.get("after", ""))
    audits = []
    if status == 200 and after is not False:
        qs = selectors.audit_list_page(request.user, filters=filters)
        audits = selectors.audit_list_keyset(qs, after=after or None, limit=selectors.AUDIT_PAGE + 1)
    elif after is False:
        status = 400
    more = len(audits) > selectors.AUDIT_PAGE
    audits = selectors.with_finding_counts(audits[: selectors.AUDIT_PAGE])
    params = request.GET.copy()
    params.pop("after", None)
    first_url = "?" + params.urlencode() if after else None
    next_url = None
    if more:
        params["after"] = f"{audits[-1].planned_start:%Y-%m-%d}:{audits[-1].pk}"
        next_url = "?" + params.urlencode()
    context = {
        "form": form,
        "audits": audits,
        "next_url": next_url,
        "first_url": first_url,
        "programmes": selectors.programme_list_for(request.user).order_by("-year", "team__name")[:20],
        "can_plan": bool(team_ids_with_right(request.user, Right.AUDIT_PLAN)),
        "can_see_bank": bool(selectors.bank_team_ids(request.user)),
    }
    return render(request, "audits/audit_list.html", context, status=status)


def _after(value: str):
    """The keyset cursor ``YYYY-MM-DD:id``: None when absent, False when malformed (a 400)."""
    if not value:
        return None
    day, _, last = value.partition(":")
    try:
        return (date.fromisoformat(day), int(last)) if last.isdecimal() else False
    except ValueError:
        return False


@require_http_methods(["GET", "POST"])
@domain_errors
def programme_create(request):
    plan_teams = team_ids_with_right(request.user, Right.AUDIT_PLAN)
    teams = [t for t in team_list_for(request.user) if t.pk in plan_teams]
    if not teams:
        raise Http404("No team to plan for.")
    form = forms.ProgrammeForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = next(t for t in teams if t.pk == data["team"])
        programme = forms.run_form(
            form,
            lambda: services.programme_create(
                team=team, year=data["year"], objectives=data["objectives"], by=request.user
            ),
        )
        if programme is not None:
            return HttpResponseRedirect(programme.get_absolute_url())
    return render(request, "audits/programme_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
@domain_errors
def programme_detail(request, programme_id: int):
    programme = selectors.programme_get_for(request.user, programme_id)
    context = {
        "programme": programme,
        "months": selectors.programme_calendar(request.user, programme),
        "can_plan": perms.can_plan(request.user, programme.team_id),
    }
    return render(request, "audits/programme_detail.html", context)


def _plan_form(request, programme, data=None):
    from post_reviews.selectors import account_list_for

    teams = team_list_for(request.user)
    accounts = account_list_for(request.user).filter(team_id__in=[t.pk for t in teams])
    return forms.AuditPlanForm(data, team=programme.team, teams=teams, accounts=accounts)


@require_http_methods(["GET", "POST"])
@domain_errors
def audit_create(request, programme_id: int):
    programme = selectors.programme_get_for(request.user, programme_id)
    if not perms.can_plan(request.user, programme.team_id):
        raise Http404("No such audit programme.")
    form = _plan_form(request, programme, request.POST or None)
    if request.method == "POST" and form.is_valid():
        audit = forms.run_form(
            form, lambda: services.audit_create(programme=programme, by=request.user, **form.service_data())
        )
        if audit is not None:
            messages.success(request, f"{audit.reference} planned.")
            return HttpResponseRedirect(audit.get_absolute_url())
    context = {"form": form, "programme": programme}
    return render(request, "audits/audit_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@domain_errors
def audit_edit(request, audit_id: int):
    """Change the plan while the audit is planned (the API's PATCH)."""
    audit = _audit(request, audit_id)
    if not _can(request.user, audit)["edit"]:
        raise Http404("No such audit.")
    form = _plan_form(request, audit.programme, request.POST or None)
    if request.method == "GET":
        form.initial = _plan_initial(audit)
    if request.method == "POST" and form.is_valid():
        done = forms.run_form(
            form, lambda: services.audit_update(audit_id=audit.pk, by=request.user, **form.service_data())
        )
        if done is not None:
            messages.success(request, "Plan changed.")
            return _back(audit)
    context = {"form": form, "programme": audit.programme, "audit": audit}
    return render(request, "audits/audit_form.html", context, status=400 if form.errors else 200)


def _plan_initial(audit) -> dict:
    fields = ("title", "audit_type", "planned_start", "planned_end", "processes", "period_start", "period_end")
    return {name: getattr(audit, name) for name in fields} | {
        "lead_auditor": audit.lead_auditor_id,
        "auditors": [u.pk for u in audit.auditors.all()],
        "auditees": [u.pk for u in audit.auditees.all()],
        "audited_teams": [t.pk for t in audit.audited_teams.all()],
        "clauses": ", ".join(audit.clauses),
        "account": audit.account_id,
    }


# --- the audit --------------------------------------------------------------------------------------


def _detail_context(request, audit) -> dict:
    findings = selectors.findings_of(audit)
    conflicts = services.independence_conflicts(audit)
    return {
        "audit": audit,
        "can": _can(request.user, audit),
        "findings": findings,
        "by_classification": selectors.findings_by_classification(findings),
        "questions": selectors.questions_of(audit),
        "conflicts": conflicts,
        "uncovered": services.uncovered_conflicts(audit) if conflicts else [],
        "overrides": list(audit.independence_overrides.all()),
        "previous": selectors.previous_audit(audit),
    }


@require_GET
@domain_errors
def audit_detail(request, audit_id: int):
    audit = _audit(request, audit_id)
    context = _detail_context(request, audit) | {
        "cancel_form": forms.CancelForm(),
        "close_form": forms.CloseForm(),
        "override_form": forms.OverrideForm(),
    }
    return render(request, "audits/audit_detail.html", context)


STEPS = {
    "start": (None, lambda a, u, d: services.audit_start(audit_id=a.pk, by=u), "Audit started."),
    "report": (None, lambda a, u, d: services.audit_report(audit_id=a.pk, by=u), "Fieldwork done: reporting."),
    "close": (forms.CloseForm, lambda a, u, d: services.audit_close(audit_id=a.pk, by=u, **d), "Report signed."),
    "cancel": (forms.CancelForm, lambda a, u, d: services.audit_cancel(audit_id=a.pk, by=u, **d), "Cancelled."),
    "override": (
        forms.OverrideForm,
        lambda a, u, d: services.independence_override_sign(audit_id=a.pk, by=u, **d),
        "Independence override signed.",
    ),
    "sample": (None, lambda a, u, d: services.audit_sample_draw(audit_id=a.pk, by=u), "Sample drawn."),
    "copy": (None, lambda a, u, d: services.audit_questions_copy_previous(audit_id=a.pk, by=u), "Questions copied."),
}


@require_POST
@domain_errors
def audit_step(request, audit_id: int, step: str):
    audit = _audit(request, audit_id)
    if step not in STEPS:
        raise Http404("No such step.")
    form_class, call, done = STEPS[step]
    form = (form_class or forms.BootstrapForm)(request.POST)
    if form.is_valid() and forms.run_form(form, lambda: call(audit, request.user, form.cleaned_data)) is not None:
        messages.success(request, done)
        return _back(audit, "audits:checklist" if step == "copy" else "audits:detail")
    for error in form.non_field_errors():
        messages.error(request, error)
    for name, errors in form.errors.items():
        if name != "__all__":
            messages.error(request, f"{name.replace('_', ' ').capitalize()}: {' '.join(errors)}")
    return _back(audit, "audits:checklist" if step == "copy" else "audits:detail")


# --- report -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@domain_errors
def report(request, audit_id: int):
    audit = _audit(request, audit_id)
    can = _can(request.user, audit)
    form = forms.ReportForm(request.POST or None, initial=_report_initial(audit))
    if request.method == "POST":
        if not can["write_report"]:
            raise Http404("No such report.")
        if form.is_valid() and forms.run_form(
            form, lambda: services.audit_report_update(audit_id=audit.pk, by=request.user, **form.cleaned_data)
        ):
            messages.success(request, "Report saved.")
            return _back(audit, "audits:report")
    context = pdf.report_context(audit) | {"can": can, "form": form, "close_form": forms.CloseForm()}
    return render(request, "audits/report.html", context, status=400 if form.errors else 200)


def _report_initial(audit) -> dict:
    return {"summary": audit.summary, "method": audit.method, "conclusion": audit.conclusion}


@require_GET
@domain_errors
def report_pdf(request, audit_id: int):
    audit = _audit(request, audit_id)
    response = HttpResponse(pdf.report_pdf_bytes(audit), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{audit.reference}-report.pdf"'
    return response

"""Audit work pages: the checklist, answers, findings and evidence."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import forms, selectors, services
from audits import permissions as perms
from audits.models import AnswerValue
from core.exceptions import NotFound
from core.views.helpers import domain_errors

from .pages import _audit, _back, _can

# --- checklist ---------------------------------------------------------------------------------------


@require_GET
@domain_errors
def checklist(request, audit_id: int):
    from post_reviews.selectors import checklist_list_for

    audit = _audit(request, audit_id)
    teams = {t.pk for t in audit.audited_teams.all()} | {audit.team_id}
    context = {
        "audit": audit,
        "can": _can(request.user, audit),
        "questions": selectors.questions_of(audit),
        "answer_values": [(v, label, forms.ANSWER_KEYS[v]) for v, label in AnswerValue.choices],
        "bank": selectors.bank_for(request.user, teams),
        "checklists": checklist_list_for(request.user).filter(team_id__in=teams, active=True),
        "previous": selectors.previous_audit(audit),
        "question_form": forms.QuestionForm(),
    }
    return render(request, "audits/checklist.html", context)


@require_POST
@domain_errors
def question_add(request, audit_id: int):
    audit = _audit(request, audit_id)
    user = request.user
    form = forms.QuestionForm(request.POST)
    if request.POST.get("bank_question"):
        call = lambda: services.audit_question_add(  # noqa: E731
            audit_id=audit.pk, bank_question_id=_int(request.POST["bank_question"]), by=user
        )
    elif request.POST.get("checklist"):
        call = lambda: services.audit_questions_from_checklist(  # noqa: E731
            audit_id=audit.pk, checklist_id=_int(request.POST["checklist"]), by=user
        )
    elif form.is_valid():
        data = form.cleaned_data
        call = lambda: services.audit_question_add(  # noqa: E731
            audit_id=audit.pk, text_=data["text"], clause=data["clause"], by=user
        )
    else:
        messages.error(request, "Write a question, or choose one from the bank or a checklist.")
        return _back(audit, "audits:checklist")
    if forms.run_form(form, call) is not None:
        messages.success(request, "Checklist updated.")
    for error in form.non_field_errors():
        messages.error(request, error)
    return _back(audit, "audits:checklist")


def _int(value: str) -> int:
    if not value.isdecimal():
        raise NotFound("No such record.")
    return int(value)


@require_POST
@domain_errors
def answers_save(request, audit_id: int):
    """Save every answered question of the form (a question left blank is left as it was)."""
    audit = _audit(request, audit_id)
    saved = 0
    form = forms.BootstrapForm()
    for question in selectors.questions_of(audit):
        value = request.POST.get(f"q{question.pk}")
        notes = request.POST.get(f"notes{question.pk}")
        if not value:
            continue
        done = forms.run_form(
            form,
            lambda q=question, v=value, n=notes: services.answer_record(
                audit_id=audit.pk, question_id=q.pk, value=v, notes=n, by=request.user
            ),
        )
        saved += done is not None
    for error in form.non_field_errors():
        messages.error(request, error)
    for name, errors in form.errors.items():
        if name != "__all__":
            messages.error(request, " ".join(errors))
    if saved:
        messages.success(request, f"{saved} answer{'s' if saved != 1 else ''} saved.")
    return _back(audit, "audits:checklist")


# --- findings ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@domain_errors
def finding_create(request, audit_id: int):
    audit = _audit(request, audit_id)
    if not perms.can_run(request.user, audit):
        raise Http404("No such audit.")
    teams = list(audit.audited_teams.all())
    form = forms.FindingForm(
        request.POST or None, request.FILES or None, teams=teams, questions=selectors.questions_of(audit)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file")

        def record():
            finding = services.finding_create(
                audit_id=audit.pk, team_id=data.pop("team"), question_id=data.pop("question"), by=request.user, **data
            )
            if upload:
                services.evidence_add(audit_id=audit.pk, finding_id=finding.pk, upload=upload, by=request.user)
            return finding

        finding = forms.run_form(form, record)
        if finding is not None:
            messages.success(request, f"Finding {finding.reference} recorded.")
            return HttpResponseRedirect(finding.get_absolute_url())
    context = {"audit": audit, "form": form}
    return render(request, "audits/finding_form.html", context, status=400 if form.errors else 200)


@require_GET
@domain_errors
def finding_list(request):
    if not perms.can_see_audits(request.user):
        raise Http404("No findings.")
    form = forms.FindingFilterForm(request.GET or None)
    after = request.GET.get("after", "")
    valid = not form.is_bound or form.is_valid()
    findings = []
    if valid and (after == "" or after.isdecimal()):
        filters = form.cleaned_data if form.is_bound else {}
        findings = selectors.finding_list_page(request.user, filters=filters, after=int(after) if after else None)
    more = len(findings) > selectors.FINDING_PAGE
    findings = findings[: selectors.FINDING_PAGE]
    params = request.GET.copy()
    params.pop("after", None)
    next_url = None
    if more:
        params["after"] = str(findings[-1].pk)
        next_url = "?" + params.urlencode()
    params.pop("after", None)
    context = {
        "form": form,
        "findings": findings,
        "next_url": next_url,
        "first_url": "?" + params.urlencode() if after else None,
    }
    return render(request, "audits/finding_list.html", context, status=200 if valid else 400)


@require_GET
@domain_errors
def finding_detail(request, finding_id: int):
    finding = selectors.finding_get_for(request.user, finding_id)
    audit = _audit(request, finding.audit_id)
    can_add = perms.can_run(request.user, audit) and audit.is_working
    context = {
        "finding": finding,
        "audit": audit,
        "can_add_evidence": can_add,
        "can_respond": perms.can_respond(request.user, finding) and audit.is_working,
        "evidence_form": forms.EvidenceForm(choices=selectors.evidence_choices(request.user, audit))
        if can_add
        else None,
        "respond_form": forms.RespondForm(initial={"response": finding.auditee_response}),
        "can_set_due": perms.is_lead(request.user, audit) and audit.is_working,
        "due_form": forms.ResponseDueForm(initial={"response_due": finding.response_due}),
    }
    return render(request, "audits/finding_detail.html", context)


@require_POST
@domain_errors
def finding_response_due(request, finding_id: int):
    """The lead auditor moves the date the auditee's response is due."""
    finding = selectors.finding_get_for(request.user, finding_id)
    form = forms.ResponseDueForm(request.POST)
    if form.is_valid() and forms.run_form(
        form, lambda: services.finding_update(finding_id=finding.pk, by=request.user, **form.cleaned_data)
    ):
        messages.success(request, "Response due date changed.")
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return HttpResponseRedirect(finding.get_absolute_url())


@require_POST
@domain_errors
def finding_respond(request, finding_id: int):
    finding = selectors.finding_get_for(request.user, finding_id)
    form = forms.RespondForm(request.POST)
    if form.is_valid() and forms.run_form(
        form, lambda: services.finding_respond(finding_id=finding.pk, by=request.user, **form.cleaned_data)
    ):
        messages.success(request, "Response recorded.")
    for error in form.non_field_errors():
        messages.error(request, error)
    return HttpResponseRedirect(finding.get_absolute_url())


@require_POST
@domain_errors
def evidence_add(request, audit_id: int, finding_id: int | None = None, question_id: int | None = None):
    audit = _audit(request, audit_id)
    target: dict = {}
    if finding_id is not None:
        finding = selectors.finding_get_for(request.user, finding_id)
        if finding.audit_id != audit.pk:
            raise Http404("No such finding.")
        target["finding_id"], back = finding.pk, finding.get_absolute_url()
    else:
        question = selectors.question_get(audit, question_id)
        answer = getattr(question, "answer", None)
        if answer is None:
            messages.error(request, "Answer the question before adding evidence to it.")
            return _back(audit, "audits:checklist")
        target["answer_id"], back = answer.pk, reverse("audits:checklist", args=[audit.pk])
    form = forms.EvidenceForm(request.POST, request.FILES, choices=selectors.evidence_choices(request.user, audit))
    if form.is_valid():
        data = form.cleaned_data
        done = forms.run_form(
            form,
            lambda: services.evidence_add(
                audit_id=audit.pk,
                upload=data.get("file") or None,
                record=form.record_link(),
                note=data.get("note", ""),
                by=request.user,
                **target,
            ),
        )
        if done is not None:
            messages.success(request, "Evidence added.")
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return HttpResponseRedirect(back)

"""The question bank pages: a team's list (filter by clause, search), add, change, retire and
reinstate. Planners change it; auditors read it; anyone else gets a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import team_list_for
from audits import forms, selectors, services
from audits import permissions as perms
from core.views.helpers import domain_errors

PAGE_SIZE = 50
DOCUMENT_CHOICES = 500


def _teams(user) -> tuple[list, list]:
    """(teams whose bank the user reads, teams whose bank they keep); a 404 when none."""
    readable = selectors.bank_team_ids(user)
    if not readable:
        raise Http404("No question bank.")
    teams = [t for t in team_list_for(user) if t.pk in readable]
    return teams, [t for t in teams if perms.can_manage_bank(user, t.pk)]


def _form(request, managed, data=None, **kwargs):
    from docs_control.selectors import document_list_for

    documents = (
        document_list_for(request.user)
        .filter(team_id__in=[t.pk for t in managed])
        .order_by("number", "id")[:DOCUMENT_CHOICES]
    )
    return forms.BankQuestionForm(data, teams=managed, documents=documents, **kwargs)


def _detail(item) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("audits:bank-question", args=[item.pk]))


@require_GET
@domain_errors
def bank_list(request):
    teams, managed = _teams(request.user)
    form = forms.BankFilterForm(request.GET or None, teams=teams)
    status, filters = 200, {}
    if form.is_bound:
        if form.is_valid():
            filters = form.cleaned_data
        else:
            status = 400
    qs = selectors.bank_list_for(
        request.user,
        team_id=filters.get("team"),
        clause=filters.get("clause") or "",
        search=(filters.get("q") or "").strip(),
        active=not filters.get("retired"),
    ).order_by("team__name", "clause", "id")
    page = Paginator(qs if status == 200 else qs.none(), PAGE_SIZE).get_page(request.GET.get("page") or 1)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "can_add": bool(managed), "query": query.urlencode()}
    return render(request, "audits/bank_list.html", context, status=status)


@require_http_methods(["GET", "POST"])
@domain_errors
def bank_create(request):
    _, managed = _teams(request.user)
    if not managed:
        raise Http404("No question bank you keep.")
    form = _form(request, managed, request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = next(t for t in managed if t.pk == form.cleaned_data["team"])
        data = form.service_data()
        item = forms.run_form(
            form,
            lambda: services.bank_question_create(
                team=team,
                question=data["question"],
                clause=data["clause"],
                guidance=data["guidance"],
                document_id=data["document"],
                by=request.user,
            ),
        )
        if item is not None:
            messages.success(request, "Question added to the bank.")
            return _detail(item)
    return render(request, "audits/bank_form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@domain_errors
def bank_question(request, question_id: int):
    """The question with its history; planners change it here."""
    item = selectors.bank_question_get_for(request.user, question_id)
    can_manage = perms.can_manage_bank(request.user, item.team_id)
    form = None
    if can_manage:
        initial = {k: getattr(item, k) for k in ("question", "clause", "guidance")}
        form = _form(
            request,
            [item.team],
            request.POST or None,
            initial=initial | {"team": item.team_id, "document": item.document_id},
        )
        form.fields["team"].disabled = True
    if request.method == "POST":
        if form is None:
            raise Http404("No such question.")
        if form.is_valid():
            data = form.service_data()
            done = forms.run_form(
                form, lambda: services.bank_question_update(question_id=item.pk, by=request.user, **data)
            )
            if done is not None:
                messages.success(request, "Question saved.")
                return _detail(item)
    context = {"item": item, "form": form, "can_manage": can_manage}
    return render(request, "audits/bank_question.html", context, status=400 if form and form.errors else 200)


@require_POST
@domain_errors
def bank_question_step(request, question_id: int, step: str):
    item = selectors.bank_question_get_for(request.user, question_id)
    calls = {"retire": services.bank_question_retire, "reinstate": services.bank_question_reinstate}
    if step not in calls or not perms.can_manage_bank(request.user, item.team_id):
        raise Http404("No such step.")
    calls[step](question_id=item.pk, by=request.user)
    messages.success(request, "Retired: no longer offered to checklists." if step == "retire" else "Reinstated.")
    return _detail(item)

"""Pages of documents: the register, creating one, its page (with the periodic review and the
acknowledgement of the version in force), the approval inbox and the training matrix."""

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import team_list_for
from core.csvsafe import SafeWriter
from core.views.helpers import active_team_id, domain_errors, run_service
from docs_control import forms, selectors, services
from docs_control import permissions as perms
from docs_control.rendering import render_markdown
from docs_control.workflow import Status


@require_GET
def register(request):
    teams = team_list_for(request.user)
    initial_team = active_team_id(request)
    data = request.GET.copy()
    if "team" not in data and initial_team in {t.pk for t in teams}:
        data["team"] = str(initial_team)
    form = forms.RegisterFilterForm(data, teams=teams, statuses=Status.choices)
    valid = form.is_valid()
    f = form.cleaned_data if valid else {}
    filters = selectors.RegisterFilters(
        team=f.get("team"),
        kind=f.get("kind", ""),
        status=f.get("status", ""),
        review_due=f.get("review_due", False),
        awaiting_my_approval=f.get("awaiting_my_approval", False),
        awaiting_my_ack=f.get("awaiting_my_ack", False),
        q=f.get("q", ""),
    )
    # A filter value that isn't one of the choices is shown with its field (400), never dropped:
    # that would list every document as if it matched.
    documents = list(selectors.document_register(request.user, filters)[:500]) if valid else []
    return render(
        request,
        "docs_control/register.html",
        {
            "form": form,
            "documents": documents,
            "can_create": any(perms.can_create_document(request.user, t.pk) for t in teams),
        },
        status=200 if valid else 400,
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def document_create(request):
    form = forms.DocumentCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        outcome = run_service(
            request,
            lambda: services.document_create(
                team_id=d["team"],
                number=d["number"],
                title=d["title"],
                kind=d["kind"],
                review_interval_months=d["review_interval_months"],
                required_approvals=d["required_approvals"],
                source_url=d["source_url"],
                body=d["body"],
                by=request.user,
            ),
            form=form,
            success="Document created with a first draft.",
        )
        if outcome:
            return HttpResponseRedirect(reverse("docs_control:document", args=[outcome.value.pk]))
    return render(request, "docs_control/document_form.html", {"form": form}, status=400 if form.errors else 200)


def document_context(request, document, **bound) -> dict:
    """The document page; ``bound`` holds a form that failed (shown with what was typed) and
    ``open_modal``, the dialog to open again."""
    user = request.user
    effective = selectors.effective_version_of(document)
    effective_full = selectors.version_get_for(user, version_id=effective.pk) if effective else None
    context = {
        "document": document,
        "effective": effective_full,
        "effective_html": render_markdown(effective.body) if effective else "",
        "progress": selectors.acknowledgement_progress(effective_full) if effective_full else None,
        "draft": next((v for v in document.versions.all() if v.status == Status.DRAFT), None),
        "can_draft": perms.can_start_revision(user, document),
        "can_review": effective is not None and perms.can_review_periodically(user, document),
        # The same predicate version_acknowledge checks.
        "can_acknowledge": effective_full is not None and perms.can_acknowledge(user, effective_full),
        "new_draft_form": forms.NewDraftForm(),
        "review_form": forms.SignForm(),
        "ack_form": forms.PasswordForm(),
    }
    context.update(bound)
    return context


@require_GET
@domain_errors
def document_detail(request, document_id: int):
    document = selectors.document_get_for(request.user, document_id=document_id)
    return render(request, "docs_control/document_detail.html", document_context(request, document))


@require_POST
@domain_errors
def version_new(request, document_id: int):
    form = forms.NewDraftForm(request.POST)
    if form.is_valid():
        outcome = run_service(
            request,
            lambda: services.version_create_draft(
                document_id=document_id,
                by=request.user,
                major=form.cleaned_data["major"],
                change_summary=form.cleaned_data["change_summary"],
            ),
            success="New revision started.",
        )
        if outcome:
            return HttpResponseRedirect(reverse("docs_control:version-edit", args=[outcome.value.pk]))
    return HttpResponseRedirect(reverse("docs_control:document", args=[document_id]))


@require_POST
@domain_errors
def document_review(request, document_id: int):
    document = selectors.document_get_for(request.user, document_id=document_id)
    form = forms.SignForm(request.POST)
    if form.is_valid() and run_service(
        request,
        lambda: services.document_review_no_change(
            document_id=document.pk,
            by=request.user,
            password=form.cleaned_data["password"],
            comment=form.cleaned_data["comment"],
        ),
        form=form,
        success="Periodic review recorded and signed; the next review date is reset.",
    ):
        return HttpResponseRedirect(reverse("docs_control:document", args=[document_id]))
    # A wrong password keeps the comment typed: the page comes back with the dialog open.
    context = document_context(request, document, review_form=form, step_form=form, open_modal="review-modal")
    return render(request, "docs_control/document_detail.html", context, status=400)


@require_GET
def approvals_inbox(request):
    return render(
        request,
        "docs_control/approvals.html",
        {
            "approvals": list(selectors.approvals_pending_for(request.user)),
            "acks": list(selectors.acknowledgements_pending_for(request.user)),
        },
    )


@require_GET
def training_matrix(request):
    team = request.GET.get("team")
    team_id = int(team) if team and team.isdecimal() else active_team_id(request)
    matrix = selectors.training_matrix(request.user, team_id=team_id)
    if request.GET.get("format") == "csv":
        return _matrix_csv(matrix)
    return render(
        request,
        "docs_control/training_matrix.html",
        {"matrix": matrix, "teams": team_list_for(request.user), "team_id": team_id},
    )


def _matrix_csv(matrix: dict) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-matrix.csv"'
    writer = SafeWriter(response)  # formula-safe: every cell is neutralised
    writer.writerow(["person", *[f"{d.number} {d.title}" for d in matrix["documents"]]])
    for row in matrix["rows"]:
        cells = []
        for cell in row["cells"]:
            if cell["state"] == "done":
                cells.append(f"acknowledged v{cell['label']} {cell['at']:%Y-%m-%d}")
            elif cell["state"] in ("pending", "overdue"):
                cells.append(f"{cell['state']} v{cell['label']} due {cell['due']:%Y-%m-%d}")
            else:
                cells.append("")
        writer.writerow([row["person"].printed_name, *cells])
    return response

import csv

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import team_list_for
from core.exceptions import Conflict
from core.exceptions import ValidationError as DomainValidationError
from core.selectors import signatures_of
from core.views.helpers import active_team_id, domain_errors, run_service

from . import forms, pdf, selectors, services
from . import permissions as perms
from .rendering import render_markdown, word_diff
from .workflow import Status


def _version_url(version_id: int) -> str:
    return reverse("docs_control:version", args=[version_id])


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
        holder = {}

        def call():
            d = form.cleaned_data
            holder["doc"] = services.document_create(
                team_id=d["team"],
                number=d["number"],
                title=d["title"],
                kind=d["kind"],
                review_interval_months=d["review_interval_months"],
                required_approvals=d["required_approvals"],
                source_url=d["source_url"],
                body=d["body"],
                by=request.user,
            )

        if run_service(request, call, form=form, success="Document created with a first draft."):
            return HttpResponseRedirect(reverse("docs_control:document", args=[holder["doc"].pk]))
    return render(request, "docs_control/document_form.html", {"form": form})


@require_GET
@domain_errors
def document_detail(request, document_id: int):
    document = selectors.document_get_for(request.user, document_id=document_id)
    effective = selectors.effective_version_of(document)
    effective_full = selectors.version_get_for(request.user, version_id=effective.pk) if effective else None
    draft = next((v for v in document.versions.all() if v.status == Status.DRAFT), None)
    return render(
        request,
        "docs_control/document_detail.html",
        {
            "document": document,
            "effective": effective_full,
            "effective_html": render_markdown(effective.body) if effective else "",
            "progress": selectors.acknowledgement_progress(effective_full) if effective_full else None,
            "draft": draft,
            "can_draft": perms.can_start_revision(request.user, document),
            "can_review": effective is not None and perms.can_review_periodically(request.user, document),
            "new_draft_form": forms.NewDraftForm(),
            "review_form": forms.SignForm(),
        },
    )


@require_POST
@domain_errors
def version_new(request, document_id: int):
    form = forms.NewDraftForm(request.POST)
    holder = {}
    if form.is_valid():

        def call():
            holder["v"] = services.version_create_draft(
                document_id=document_id,
                by=request.user,
                major=form.cleaned_data["major"],
                change_summary=form.cleaned_data["change_summary"],
            )

        if run_service(request, call, success="New revision started."):
            return HttpResponseRedirect(reverse("docs_control:version-edit", args=[holder["v"].pk]))
    return HttpResponseRedirect(reverse("docs_control:document", args=[document_id]))


@require_POST
@domain_errors
def document_review(request, document_id: int):
    form = forms.SignForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.document_review_no_change(
                document_id=document_id,
                by=request.user,
                password=form.cleaned_data["password"],
                comment=form.cleaned_data["comment"],
            ),
            success="Periodic review recorded and signed; the next review date is reset.",
        )
    else:
        messages.error(request, "Enter your password to sign the review.")
    return HttpResponseRedirect(reverse("docs_control:document", args=[document_id]))


@require_GET
@domain_errors
def version_detail(request, version_id: int):
    version = selectors.version_get_for(request.user, version_id=version_id)
    user = request.user
    my_ack = next((a for a in version.acknowledgements.all() if a.user_id == user.pk), None)
    return render(
        request,
        "docs_control/version_detail.html",
        {
            "version": version,
            "document": version.document,
            "body_html": render_markdown(version.body),
            "signatures": list(signatures_of(version)),
            "approvals": list(version.approvals.all()),
            "progress": selectors.acknowledgement_progress(version) if version.status == Status.EFFECTIVE else None,
            "diff": selectors.version_diff(user, version_id=version.pk, against_id=None)
            if version.status in (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED)
            else None,
            "my_ack": my_ack,
            "can": {
                "edit": perms.can_edit_draft(user, version),
                "submit": perms.can_submit(user, version),
                "approve": perms.can_approve(user, version),
                "make_effective": perms.can_make_effective(user, version),
                "withdraw": perms.can_withdraw(user, version),
                "acknowledge": perms.can_acknowledge(user, version),
            },
            "submit_form": forms.SubmitForm(version=version, user=user) if perms.can_submit(user, version) else None,
            "sign_form": forms.SignForm(),
            "password_form": forms.PasswordForm(),
            "reason_form": forms.ReasonForm(),
            "effective_form": forms.MakeEffectiveForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def version_edit(request, version_id: int):
    version = selectors.version_get_for(request.user, version_id=version_id)
    if not perms.can_edit_draft(request.user, version):
        messages.error(
            request, f"Version {version.label} is {version.get_status_display().lower()}: it can't be edited."
        )
        return HttpResponseRedirect(_version_url(version.pk))
    conflict = None
    if request.method == "POST":
        form = forms.DraftForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.version_update_draft(
                    version_id=version.pk,
                    by=request.user,
                    body=d["body"],
                    change_summary=d["change_summary"],
                    lock_version=d["lock_version"],
                )
            except Conflict as exc:
                current = exc.current or {}
                conflict = {
                    "message": exc.message,
                    "theirs": current.get("body", ""),
                    "diff": word_diff(current.get("body", ""), d["body"]),
                }
                # Keep the user's text in the box, but base the next save on the current version.
                form = forms.DraftForm(initial={**d, "lock_version": current.get("lock_version", d["lock_version"])})
            else:
                messages.success(request, "Draft saved.")
                return HttpResponseRedirect(_version_url(version.pk))
    else:
        form = forms.DraftForm(
            initial={
                "body": version.body,
                "change_summary": version.change_summary,
                "lock_version": version.lock_version,
            }
        )
    return render(
        request,
        "docs_control/version_edit.html",
        {"version": version, "document": version.document, "form": form, "conflict": conflict},
    )


@require_POST
def version_preview(request):
    body = request.POST.get("body", "")[:500_000]
    return render(request, "docs_control/_preview.html", {"html": render_markdown(body)})


def _form_errors_as_messages(request, form) -> None:
    for field, errors in form.errors.items():
        messages.error(request, f"{field.replace('_', ' ').capitalize()}: {' '.join(errors)}")


def _signed_action(request, version_id: int, form_class, call, success: str):
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors_as_messages(request, form)
        return HttpResponseRedirect(_version_url(version_id))
    run_service(request, lambda: call(form.cleaned_data), success=success)
    return HttpResponseRedirect(_version_url(version_id))


@require_POST
@domain_errors
def version_submit(request, version_id: int):
    version = selectors.version_get_for(request.user, version_id=version_id)
    form = forms.SubmitForm(request.POST, version=version, user=request.user)
    if not form.is_valid():
        _form_errors_as_messages(request, form)
        return HttpResponseRedirect(_version_url(version_id))
    d = form.cleaned_data
    run_service(
        request,
        lambda: services.version_submit(
            version_id=version_id,
            by=request.user,
            approver_ids=d["approvers"],
            extra_team_ids=d["extra_teams"],
            effective_from=d["effective_from"],
        ),
        success="Submitted for approval. The approvers have been notified.",
    )
    return HttpResponseRedirect(_version_url(version_id))


@require_POST
@domain_errors
def version_approve(request, version_id: int):
    return _signed_action(
        request,
        version_id,
        forms.SignForm,
        lambda d: services.version_approve(
            version_id=version_id, by=request.user, password=d["password"], comment=d["comment"]
        ),
        "Approved and signed.",
    )


@require_POST
@domain_errors
def version_reject(request, version_id: int):
    return _signed_action(
        request,
        version_id,
        forms.SignForm,
        lambda d: services.version_reject(
            version_id=version_id, by=request.user, password=d["password"], comment=d["comment"]
        ),
        "Changes requested; the author has been notified.",
    )


@require_POST
@domain_errors
def version_make_effective(request, version_id: int):
    return _signed_action(
        request,
        version_id,
        forms.MakeEffectiveForm,
        lambda d: services.version_make_effective(
            version_id=version_id, by=request.user, effective_from=d["effective_from"]
        ),
        "Done.",
    )


@require_POST
@domain_errors
def version_obsolete(request, version_id: int):
    return _signed_action(
        request,
        version_id,
        forms.ReasonForm,
        lambda d: services.version_obsolete(version_id=version_id, by=request.user, reason=d["reason"]),
        "Version withdrawn.",
    )


@require_POST
@domain_errors
def version_acknowledge(request, version_id: int):
    return _signed_action(
        request,
        version_id,
        forms.PasswordForm,
        lambda d: services.version_acknowledge(version_id=version_id, by=request.user, password=d["password"]),
        "Acknowledged and signed. Thank you.",
    )


@require_GET
@domain_errors
def version_diff(request, version_id: int):
    against = request.GET.get("against")
    against_id = int(against) if against and against.isdecimal() else None
    try:
        diff = selectors.version_diff(request.user, version_id=version_id, against_id=against_id)
    except DomainValidationError as exc:
        # A version of another document (an edited URL): say so and compare with the one in force.
        messages.error(request, " ".join(" ".join(errors) for errors in exc.errors.values()))
        diff = selectors.version_diff(request.user, version_id=version_id, against_id=None)
    versions = selectors.versions_of_document(request.user, diff["version"].document)
    return render(request, "docs_control/version_diff.html", {**diff, "versions": versions})


@require_GET
@domain_errors
def version_pdf(request, version_id: int):
    version = selectors.version_get_for(request.user, version_id=version_id)
    response = pdf.version_pdf_response(version)
    if response is None:
        messages.info(request, "This document is large: a worker is rendering the PDF. Try the link again in a minute.")
        return HttpResponseRedirect(_version_url(version_id))
    return response


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


def _cell_text(value: str) -> str:
    # Spreadsheet formula injection: a cell must not start with = + - @ or a control character.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _matrix_csv(matrix: dict) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-matrix.csv"'
    writer = csv.writer(response)
    writer.writerow(["person", *[_cell_text(f"{d.number} {d.title}") for d in matrix["documents"]]])
    for row in matrix["rows"]:
        cells = []
        for cell in row["cells"]:
            if cell["state"] == "done":
                cells.append(f"acknowledged v{cell['label']} {cell['at']:%Y-%m-%d}")
            elif cell["state"] in ("pending", "overdue"):
                cells.append(f"{cell['state']} v{cell['label']} due {cell['due']:%Y-%m-%d}")
            else:
                cells.append("")
        writer.writerow([_cell_text(row["person"].printed_name), *cells])
    return response

"""Pages of one version: reading it, editing the draft, the signed steps, diff and PDF.

A step that fails (a wrong signing password, a missing reason) re-renders the page with the
form as typed and its dialog open again, instead of redirecting and losing the text.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import Conflict
from core.exceptions import ValidationError as DomainValidationError
from core.selectors import signatures_of
from core.views.helpers import domain_errors, run_service
from docs_control import forms, pdf, selectors, services
from docs_control import permissions as perms
from docs_control.rendering import render_markdown, word_diff
from docs_control.workflow import Status

from .documents import document_context


def _version_url(version_id: int) -> str:
    return reverse("docs_control:version", args=[version_id])


def version_context(request, version, **bound) -> dict:
    user = request.user
    can_submit = perms.can_submit(user, version)
    context = {
        "version": version,
        "document": version.document,
        "body_html": render_markdown(version.body),
        "signatures": list(signatures_of(version)),
        "approvals": list(version.approvals.all()),
        "progress": selectors.acknowledgement_progress(version) if version.status == Status.EFFECTIVE else None,
        "diff": selectors.version_diff(user, version_id=version.pk, against_id=None)
        if version.status in selectors.PENDING
        else None,
        "my_ack": next((a for a in version.acknowledgements.all() if a.user_id == user.pk), None),
        "can": {
            "edit": perms.can_edit_draft(user, version),
            "submit": can_submit,
            "approve": perms.can_approve(user, version),
            "make_effective": perms.can_make_effective(user, version),
            "withdraw": perms.can_withdraw(user, version),
            "acknowledge": perms.can_acknowledge(user, version),
        },
        "submit_form": forms.SubmitForm(version=version, user=user) if can_submit else None,
        "approve_form": forms.SignForm(),
        "reject_form": forms.SignForm(),
        "ack_form": forms.PasswordForm(),
        "obsolete_form": forms.ReasonForm(),
        "effective_form": forms.MakeEffectiveForm(),
    }
    context.update(bound)
    return context


@require_GET
@domain_errors
def version_detail(request, version_id: int):
    version = selectors.version_get_for(request.user, version_id=version_id)
    return render(request, "docs_control/version_detail.html", version_context(request, version))


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


def _step(request, version_id: int, *, form, key: str, modal: str, call, success: str):
    """Run one step of a version from its dialog. ``back=document`` in the form means it was
    sent from the document page (acknowledging the version in force) and returns there."""
    version = selectors.version_get_for(request.user, version_id=version_id)
    from_document = request.POST.get("back") == "document"
    if form.is_valid() and run_service(request, lambda: call(form.cleaned_data), form=form, success=success):
        if from_document:
            return HttpResponseRedirect(reverse("docs_control:document", args=[version.document_id]))
        return HttpResponseRedirect(_version_url(version_id))
    bound = {key: form, "step_form": form, "open_modal": modal}
    if from_document:
        document = selectors.document_get_for(request.user, document_id=version.document_id)
        return render(
            request, "docs_control/document_detail.html", document_context(request, document, **bound), status=400
        )
    version = selectors.version_get_for(request.user, version_id=version_id)  # as it is now
    return render(request, "docs_control/version_detail.html", version_context(request, version, **bound), status=400)


@require_POST
@domain_errors
def version_submit(request, version_id: int):
    version = selectors.version_get_for(request.user, version_id=version_id)
    return _step(
        request,
        version_id,
        form=forms.SubmitForm(request.POST, version=version, user=request.user),
        key="submit_form",
        modal="submit-modal",
        call=lambda d: services.version_submit(
            version_id=version_id,
            by=request.user,
            approver_ids=d["approvers"],
            extra_team_ids=d["extra_teams"],
            effective_from=d["effective_from"],
        ),
        success="Submitted for approval. The approvers have been notified.",
    )


@require_POST
@domain_errors
def version_approve(request, version_id: int):
    return _step(
        request,
        version_id,
        form=forms.SignForm(request.POST),
        key="approve_form",
        modal="approve-modal",
        call=lambda d: services.version_approve(
            version_id=version_id, by=request.user, password=d["password"], comment=d["comment"]
        ),
        success="Approved and signed.",
    )


@require_POST
@domain_errors
def version_reject(request, version_id: int):
    return _step(
        request,
        version_id,
        form=forms.SignForm(request.POST),
        key="reject_form",
        modal="reject-modal",
        call=lambda d: services.version_reject(
            version_id=version_id, by=request.user, password=d["password"], comment=d["comment"]
        ),
        success="Changes requested; the author has been notified.",
    )


@require_POST
@domain_errors
def version_make_effective(request, version_id: int):
    return _step(
        request,
        version_id,
        form=forms.MakeEffectiveForm(request.POST),
        key="effective_form",
        modal="effective-modal",
        call=lambda d: services.version_make_effective(
            version_id=version_id, by=request.user, effective_from=d["effective_from"]
        ),
        success="Done.",
    )


@require_POST
@domain_errors
def version_obsolete(request, version_id: int):
    return _step(
        request,
        version_id,
        form=forms.ReasonForm(request.POST),
        key="obsolete_form",
        modal="obsolete-modal",
        call=lambda d: services.version_obsolete(version_id=version_id, by=request.user, reason=d["reason"]),
        success="Version withdrawn.",
    )


@require_POST
@domain_errors
def version_acknowledge(request, version_id: int):
    return _step(
        request,
        version_id,
        form=forms.PasswordForm(request.POST),
        key="ack_form",
        modal="ack-modal",
        call=lambda d: services.version_acknowledge(version_id=version_id, by=request.user, password=d["password"]),
        success="Acknowledged and signed. Thank you.",
    )


@require_GET
@domain_errors
def version_diff(request, version_id: int):
    against = request.GET.get("against")
    against_id = int(against) if against and against.isdecimal() else None
    try:
        diff = selectors.version_diff(request.user, version_id=version_id, against_id=against_id)
    except DomainValidationError as exc:
        # A version of another document (an edited URL): say so and compare with the default.
        messages.error(request, " ".join(" ".join(errors) for errors in exc.errors.values()))
        diff = selectors.version_diff(request.user, version_id=version_id, against_id=None)
    versions = selectors.versions_of_document(request.user, diff["version"].document)
    return render(request, "docs_control/version_diff.html", {**diff, "versions": versions})


@require_GET
@domain_errors
def version_pdf(request, version_id: int):
    version = selectors.version_get_for(request.user, version_id=version_id)
    response = pdf.version_pdf_response(request, version)
    if response is None:
        messages.info(request, "This document is large: a worker is rendering the PDF. Try the link again in a minute.")
        return HttpResponseRedirect(_version_url(version_id))
    return response

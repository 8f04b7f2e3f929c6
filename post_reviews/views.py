import json

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import team_ids_with_right
from accounts.roles import Right
from accounts.selectors import active_team_ids
from core.downloads import stored_file_response
from core.exceptions import NotFound, PermissionDenied
from core.views.helpers import active_team_id, domain_errors, run_service
from docs_control.selectors import effective_versions_of_teams

from . import forms, selectors, services
from . import permissions as perms
from .models import DefectCategory, Severity, Source, Stage
from .platforms import Platform
from .prechecks import RULE_IDS, RULE_INFO


def _text(value: str) -> str:
    """Free text read straight from a request: PostgreSQL refuses NUL in text (a 500 otherwise)."""
    return value.replace("\x00", "")


def _team_ids(request) -> set[int]:
    return active_team_ids(request.user, active_team_id(request))


def _queue_filters(request) -> selectors.QueueFilters:
    account = request.GET.get("account", "")
    return selectors.QueueFilters(
        team_ids=_team_ids(request),
        account=int(account) if account.isdecimal() else None,
        platform=request.GET.get("platform", "") if request.GET.get("platform") in Platform.values else "",
        campaign=_text(request.GET.get("campaign", ""))[:120],
        stage=request.GET.get("stage", "") if request.GET.get("stage") in Stage.values else "",
    )


@require_GET
def queue(request):
    f = _queue_filters(request)
    after = None
    cursor = request.GET.get("after", "")
    if cursor.count(":") == 1 and all(p.isdecimal() for p in cursor.split(":")):
        failures, last = cursor.split(":")
        after = (int(failures), int(last))
    posts = selectors.review_queue(f, after=after, limit=selectors.QUEUE_PAGE + 1)
    more = len(posts) > selectors.QUEUE_PAGE
    posts = posts[: selectors.QUEUE_PAGE]
    params = request.GET.copy()
    params.pop("after", None)
    next_url = None
    if more:
        params["after"] = f"{posts[-1].precheck_failures}:{posts[-1].pk}"
        next_url = "?" + params.urlencode()
    return render(
        request,
        "post_reviews/queue.html",
        {
            "posts": posts,
            "counts": selectors.queue_counts(f),
            "filters": f,
            "accounts": selectors.account_list_for(request.user),
            "platforms": Platform.choices,
            "stages": Stage.choices,
            "next_url": next_url,
            "first": posts[0] if posts else None,
        },
    )


def _review_context(request, post, *, lot_id=None, form_errors=None, data=None):
    from .presentation import checklist_rows, default_stage, post_card

    checklist = selectors.checklist_for_post(request.user, post)
    card = post_card(post)
    items = checklist_rows(checklist, card["failed_rules"], data)
    stage = (data or {}).get("stage") or default_stage(post, in_lot=bool(lot_id))
    return {
        "post": post,
        "card": card,
        "checklist": checklist,
        "items": items,
        "stage": stage,
        "stages": Stage.choices,
        "categories": DefectCategory.choices,
        "severities": Severity.choices,
        "started_at": timezone.now().isoformat(),
        "lot_id": lot_id,
        "errors": form_errors or {},
        "reviews": selectors.reviews_of_post(post),
        "nonconformities": selectors.nonconformities_of_post(request.user, post),
        "can_review": perms.can_review(request.user, post.team_id),
        "is_author": perms.is_post_author(request.user, post),
    }


@require_GET
@domain_errors
def review_page(request, post_id: int):
    post = selectors.post_get_for(request.user, post_id=post_id)
    lot = request.GET.get("lot", "")
    lot_id = int(lot) if lot.isdecimal() else None
    return render(request, "post_reviews/review.html", _review_context(request, post, lot_id=lot_id))


@require_POST
@domain_errors
def review_submit(request, post_id: int):
    post = selectors.post_get_for(request.user, post_id=post_id)
    checklist_id = request.POST.get("checklist", "")
    checklist = (
        selectors.checklist_list_for(request.user).filter(pk=int(checklist_id), team_id=post.team_id).first()
        if checklist_id.isdecimal() and len(checklist_id) < 19
        else None
    )
    form = forms.ReviewForm(request.POST, items=list(checklist.items.all()) if checklist else [])
    review = None
    if form.is_valid():
        d = form.cleaned_data
        data = services.ReviewInput(
            post_id=post.pk,
            checklist_id=d["checklist"],
            stage=d["stage"],
            results=form.results(),
            defects=form.defects(),
            notes=d["notes"],
            started_at=d["started_at"],
            sampling_lot_id=d["lot"],
        )
        try:
            review = run_service(request, lambda: services.review_submit(data=data, by=request.user), form=form).value
        except PermissionDenied as exc:  # shown in the form (the author's pass), not a 403 page
            form.add_error(None, exc.message)
    if review is None:
        lot = request.POST.get("lot", "")
        lot_id = int(lot) if lot.isdecimal() and len(lot) < 19 else None
        context = _review_context(request, post, lot_id=lot_id, form_errors=form.errors, data=request.POST)
        return render(request, "post_reviews/review.html", context)
    messages.success(request, f"Review of {post} saved: {review.get_outcome_display()}.")
    if review.sampling_lot_id:
        return _go(request, reverse("post_reviews:lot", args=[review.sampling_lot_id]))
    following = selectors.next_in_queue(request.user, after_post=post)
    if following is None:
        return _go(request, reverse("post_reviews:queue"))
    return _go(request, reverse("post_reviews:review", args=[following.pk]))


def _go(request, url: str):
    """After a review: htmx swaps the next page in (no full reload); plain forms redirect."""
    if request.htmx:
        response = HttpResponse(status=200)
        response["HX-Location"] = json.dumps(
            {"path": url, "target": "#review-main", "select": "#review-main", "swap": "outerHTML"}
        )
        return response
    return HttpResponseRedirect(url)


@require_GET
@domain_errors
def post_detail(request, post_id: int):

    from .presentation import post_card

    post = selectors.post_get_for(request.user, post_id=post_id)
    return render(
        request,
        "post_reviews/post_detail.html",
        {
            "post": post,
            "card": post_card(post),
            "reviews": selectors.reviews_of_post(post),
            "nonconformities": selectors.nonconformities_of_post(request.user, post),
            "can_review": perms.can_review(request.user, post.team_id),
        },
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def post_create(request):
    if not perms.can_manage_posts_somewhere(request.user):
        raise PermissionDenied("Your role can't add posts.")
    accounts = [a for a in selectors.account_list_for(request.user) if perms.can_manage_posts(request.user, a.team_id)]
    form = forms.PostForm(request.POST or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        media = [{"type": d["media_type"], "url": d["media_url"], "alt_text": d["alt_text"]}] if d["media_type"] else []
        holder = {}

        def call():
            holder["post"], holder["outcome"] = services.post_upsert(
                account_id=d["account"],
                data=services.PostInput(
                    external_id=d["external_id"],
                    text=d["text"],
                    url=d["url"],
                    media=media,
                    campaign=d["campaign"],
                    sponsored=d["sponsored"],
                    status=d["status"],
                    scheduled_at=d["scheduled_at"],
                    published_at=d["published_at"],
                ),
                source=Source.MANUAL,
                by=request.user,
            )

        if run_service(request, call, form=form):
            messages.success(request, f"Post {holder['outcome']}; pre-checks ran.")
            return HttpResponseRedirect(reverse("post_reviews:post", args=[holder["post"].pk]))
    # An empty account picker says why: accounts are added by the same right as posts.
    return render(request, "post_reviews/post_form.html", {"form": form, "can_add_accounts": True})


@require_http_methods(["GET", "POST"])
@domain_errors
def imports(request):
    allowed = perms.can_manage_posts_somewhere(request.user)  # the runs are listed to everyone
    if request.method == "POST" and not allowed:
        raise PermissionDenied("Your role can't import posts.")
    accounts = list(selectors.account_list_for(request.user))
    form = forms.ImportForm(request.POST or None, request.FILES or None, user=request.user, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        holder = {}

        def call():
            holder["run"] = services.import_run_create(
                team_id=d["team"], upload=d["file"], kind=d["kind"], account_id=d["account"], by=request.user
            )

        if run_service(request, call, form=form, success="File received; the import is running."):
            return HttpResponseRedirect(reverse("post_reviews:import", args=[holder["run"].pk]))
    runs = list(selectors.import_run_list_for(request.user)[:20])
    return render(request, "post_reviews/imports.html", {"form": form if allowed else None, "runs": runs})


@require_GET
@domain_errors
def import_detail(request, run_id: int):
    run = selectors.import_run_get_for(request.user, run_id=run_id)
    template = "post_reviews/import_detail.html#progress" if request.htmx else "post_reviews/import_detail.html"
    can_retry = run.status == "failed" and perms.can_retry_import(request.user, run)
    return render(request, template, {"run": run, "can_retry": can_retry})


@require_GET
@domain_errors
def import_file(request, run_id: int):
    """The file as it was uploaded, to whoever may see the run (checked before storage is read)."""
    run = selectors.import_run_get_for(request.user, run_id=run_id)
    kind = "text/csv" if run.kind == "csv" else "application/octet-stream"
    return stored_file_response(
        request, storage=run.file.storage, name=run.file.name, filename=run.original_name, content_type=kind
    )


@require_POST
@domain_errors
def import_retry(request, run_id: int):
    run_service(
        request,
        lambda: services.import_run_retry(import_run_id=run_id, by=request.user),
        success="The import is queued again; it continues after the rows already imported.",
    )
    return HttpResponseRedirect(reverse("post_reviews:import", args=[run_id]))


@require_http_methods(["GET", "POST"])
@domain_errors
def accounts(request):
    form = forms.AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if run_service(
            request,
            lambda: services.account_create(
                team_id=d["team"],
                platform=d["platform"],
                handle=d["handle"],
                display_name=d["display_name"],
                by=request.user,
            ),
            form=form,
            success="Account added.",
        ):
            return HttpResponseRedirect(reverse("post_reviews:accounts"))
    return render(
        request, "post_reviews/accounts.html", {"form": form, "accounts": selectors.account_list_for(request.user)}
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def precheck_settings(request):
    team_ids = team_ids_with_right(request.user, Right.CHECKLIST_MANAGE)
    team_id = active_team_id(request) if active_team_id(request) in team_ids else (min(team_ids) if team_ids else None)
    if team_id is None:
        raise NotFound("You manage no team's pre-check rules.")
    config = services.precheck_config_for(team_id)
    initial = {
        "enabled_rules": sorted(config.enabled),
        "disclosure_tokens": "\n".join(config.disclosure_tokens),
        "banned_terms": "\n".join(config.banned_terms),
        "restricted_terms": "\n".join(config.restricted_terms),
        "allowed_domains": "\n".join(config.allowed_domains),
        "utm_required_domains": "\n".join(config.utm_required_domains),
    }
    form = forms.PrecheckSettingsForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            lambda: services.precheck_settings_update(team_id=team_id, by=request.user, **form.lists()),
            form=form,
            success="Pre-check rules saved. Waiting posts are re-checked in the background.",
        )
    ):
        return HttpResponseRedirect(reverse("post_reviews:settings"))
    return render(
        request, "post_reviews/settings.html", {"form": form, "rules": [(r, *RULE_INFO[r]) for r in RULE_IDS]}
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def checklists(request):
    manage_ids = team_ids_with_right(request.user, Right.CHECKLIST_MANAGE)
    versions = effective_versions_of_teams(manage_ids)
    form = forms.ChecklistForm(request.POST or None, versions=versions)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            lambda: services.checklist_create(
                version_id=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                items=form.parsed_items(),
                by=request.user,
            ),
            form=form,
            success="Checklist created.",
        )
    ):
        return HttpResponseRedirect(reverse("post_reviews:checklists"))
    return render(
        request,
        "post_reviews/checklists.html",
        {"form": form if manage_ids else None, "checklists": selectors.checklist_list_for(request.user)},
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def lots(request):
    accounts = list(selectors.account_list_for(request.user))
    form = forms.LotForm(request.POST or None, user=request.user, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        holder = {}

        def call():
            holder["lot"] = services.sampling_lot_create(
                team_id=d["team"],
                account_id=d["account"],
                period_start=d["period_start"],
                period_end=d["period_end"],
                method=d["method"],
                aql=d["aql"] if d["aql"] is not None else "2.5",
                percent=d["percent"],
                by=request.user,
            )

        if run_service(request, call, form=form, success="Sample drawn."):
            return HttpResponseRedirect(reverse("post_reviews:lot", args=[holder["lot"].pk]))
    return render(request, "post_reviews/lots.html", {"form": form, "lots": selectors.lot_list_for(request.user)[:50]})


@require_GET
@domain_errors
def lot_detail(request, lot_id: int):
    lot = selectors.lot_get_for(request.user, lot_id=lot_id)
    return render(request, "post_reviews/lot_detail.html", {"lot": lot, "sample": selectors.lot_sample(lot)})

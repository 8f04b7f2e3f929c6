"""Management review pages: list, plan, detail/edit while draft, actions, close (signed), PDF."""

from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import team_list_for
from core.exceptions import PermissionDenied
from core.views.helpers import domain_errors, run_service

from . import services
from .pdf import review_pdf_response
from .permissions import can_close_review, can_manage_reviews
from .review_forms import ReviewActionForm, ReviewCloseForm, ReviewForm
from .reviews import review_action_get_for, review_figures, review_get_for, review_list_for

_INITIAL_FIELDS = ("title", "period_start", "period_end", "chair", "issues_changes", "external_providers")


def _manageable_teams(user):
    return [t for t in team_list_for(user) if can_manage_reviews(user, t.pk)]


@require_GET
def review_list(request):
    reviews = review_list_for(request.user).annotate(open_actions=Count("actions", filter=Q(actions__done_at=None)))
    return render(
        request,
        "metrics/review_list.html",
        {"reviews": reviews, "can_plan": bool(_manageable_teams(request.user))},
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def review_new(request):
    teams = _manageable_teams(request.user)
    if not teams:
        raise PermissionDenied("Your role can't hold management reviews.")
    form = ReviewForm(request.POST or None, teams=teams, initial={"chair": request.user.pk})
    if request.method == "POST" and form.is_valid():
        team_id = form.cleaned_data["team"]
        outcome = run_service(
            request,
            lambda: services.management_review_create(team_id=team_id, data=form.data_for_service(), by=request.user),
            form=form,
            success="Management review planned.",
        )
        if outcome:
            return HttpResponseRedirect(outcome.value.get_absolute_url())
    return render(request, "metrics/review_form.html", {"form": form}, status=400 if form.is_bound else 200)


def _detail(request, review, *, form=None, action_form=None, close_form=None, status=200):
    editable = not review.is_closed and can_manage_reviews(request.user, review.team_id)
    initial = {f: getattr(review, f) for f in (*_INITIAL_FIELDS, *review.TEXT_FIELDS, *review.OUTPUT_FIELDS)}
    initial["participants"] = list(review.participants.all())
    context = {
        "review": review,
        "figures": review_figures(review),
        "editable": editable,
        "can_close": not review.is_closed and can_close_review(request.user, review),
        "form": form or (ReviewForm(teams=[], review=review, initial=initial) if editable else None),
        "action_form": action_form or (ReviewActionForm(review=review) if editable else None),
        "close_form": close_form or ReviewCloseForm(),
        "open_modal": "close-modal" if close_form is not None else "",
    }
    return render(request, "metrics/review_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@domain_errors
def review_detail(request, review_id: int):
    review = review_get_for(request.user, review_id=review_id)
    if request.method == "GET":
        return _detail(request, review)
    form = ReviewForm(request.POST, teams=[], review=review)
    if form.is_valid():
        outcome = run_service(
            request,
            lambda: services.management_review_update(
                review_id=review.pk, data=form.data_for_service(), by=request.user
            ),
            form=form,
            success="Saved.",
        )
        if outcome:
            return HttpResponseRedirect(review.get_absolute_url())
    return _detail(request, review, form=form, status=400)


@require_POST
@domain_errors
def review_action_add(request, review_id: int):
    review = review_get_for(request.user, review_id=review_id)
    form = ReviewActionForm(request.POST, review=review)
    if form.is_valid():
        outcome = run_service(
            request,
            lambda: services.management_review_action_add(review_id=review.pk, by=request.user, **form.cleaned_data),
            form=form,
            success="Action added.",
        )
        if outcome:
            return HttpResponseRedirect(review.get_absolute_url())
    return _detail(request, review, action_form=form, status=400)


@require_POST
@domain_errors
def review_action_done(request, action_id: int):
    action = review_action_get_for(request.user, action_id=action_id)
    run_service(
        request,
        lambda: services.management_review_action_complete(action_id=action.pk, by=request.user),
        success="Action done.",
    )
    return HttpResponseRedirect(action.review.get_absolute_url())


@require_POST
@domain_errors
def review_close(request, review_id: int):
    review = review_get_for(request.user, review_id=review_id)
    form = ReviewCloseForm(request.POST)
    if form.is_valid():
        outcome = run_service(
            request,
            lambda: services.management_review_close(review_id=review.pk, by=request.user, **form.cleaned_data),
            form=form,
            success="Management review closed and signed.",
        )
        if outcome:
            return HttpResponseRedirect(review.get_absolute_url())
    return _detail(request, review, close_form=form, status=400)


@require_GET
@domain_errors
def review_pdf(request, review_id: int):
    return review_pdf_response(review_get_for(request.user, review_id=review_id))

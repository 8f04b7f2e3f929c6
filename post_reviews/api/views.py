from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.permissions import team_ids_of
from core.api.base import ScopedViewSetMixin, valid
from core.api.parsers import BoundedJSONParser
from post_reviews import selectors, services
from post_reviews.models import (
    Checklist,
    ImportRun,
    Outcome,
    Post,
    PostReview,
    ReviewState,
    SamplingLot,
    SocialAccount,
    Source,
    Stage,
)
from post_reviews.platforms import Platform
from post_reviews.workflow import ENGAGEMENT_COUNTERS

from . import serializers as s


class SocialAccountViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The team's social media accounts."""

    model = SocialAccount
    serializer_class = s.SocialAccountSerializer
    filter_params = frozenset({"team", "platform"})

    def scoped_queryset(self, user):
        qs = selectors.account_list_for(user)
        team = self.int_param("team")
        if team:
            qs = qs.filter(team_id=team)
        platform = self.choice_param("platform", Platform.values)
        if platform:
            qs = qs.filter(platform=platform)
        return qs

    @extend_schema(request=s.SocialAccountInputSerializer, responses={201: s.SocialAccountSerializer})
    def create(self, request):
        # The team is a plain id: the service answers 404 for a team that isn't the user's, so
        # the API never tells which team ids exist.
        v = valid(s.SocialAccountInputSerializer, request)
        account = services.account_create(
            team_id=v["team"],
            platform=v["platform"],
            handle=v["handle"],
            display_name=v.get("display_name", ""),
            by=request.user,
        )
        return Response(s.SocialAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class PostViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Posts with their pre-check results and review state. POST takes one post or a list (bulk),
    idempotent on (account, external_id)."""

    model = Post
    filter_params = frozenset({"account", "platform", "review_state", "campaign", "approved_for_publishing"})
    parser_classes = [BoundedJSONParser, MultiPartParser]

    def get_serializer_class(self):
        return s.PostDetailSerializer if self.action == "retrieve" else s.PostSerializer

    def scoped_queryset(self, user):
        qs = selectors.post_list_for(user)
        params = self.request.query_params
        account = self.int_param("account")
        if account:
            qs = qs.filter(account_id=account)
        platform = self.choice_param("platform", Platform.values)
        if platform:
            qs = qs.filter(account_id__in=selectors.accounts_on_platform(team_ids_of(self.request.user), platform))
        review_state = self.choice_param("review_state", ReviewState.values)
        if review_state:
            qs = qs.filter(review_state=review_state)
        if params.get("campaign"):
            qs = qs.filter(campaign=params["campaign"][:120])
        approved = self.bool_param("approved_for_publishing")
        if approved is not None:
            qs = qs.filter(approved_for_publishing=approved)
        return qs

    def get_object(self):
        return selectors.post_get_for(self.request.user, post_id=int(self.kwargs["pk"]))

    @extend_schema(request=s.PostInputSerializer(many=True), responses={201: s.UpsertResultSerializer(many=True)})
    def create(self, request):
        many = isinstance(request.data, list)
        if many and not 1 <= len(request.data) <= 1000:
            raise ValidationError({"non_field_errors": ["Send between 1 and 1000 posts."]})
        validated = valid(s.PostInputSerializer, request, many=many)
        rows = validated if many else [validated]
        items = [
            (
                row["account"],
                services.PostInput(
                    external_id=row["external_id"].strip(),
                    text=row["text"],
                    url=row["url"],
                    media=[dict(m) for m in row["media"]],
                    campaign=row["campaign"],
                    sponsored=row["sponsored"],
                    status=row["status"],
                    scheduled_at=row["scheduled_at"],
                    published_at=row["published_at"],
                    author_name=row["author_name"],
                    **{c: row[c] for c in ENGAGEMENT_COUNTERS},
                ),
            )
            for row in rows
        ]
        if many:
            results = services.posts_upsert_many(items=items, source=Source.API, by=request.user)
        else:
            results = [
                services.post_upsert(account_id=items[0][0], data=items[0][1], source=Source.API, by=request.user)
            ]
        body = [{"id": p.pk, "external_id": p.external_id, "outcome": outcome} for p, outcome in results]
        return Response(body if many else body[0], status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PostEngagementSerializer, responses={200: s.PostDetailSerializer})
    def partial_update(self, request, pk=None):
        """Update a post's engagement counters (the platform's figures). Only engagement can be
        changed here; it never withdraws an approval. Reviewed content changes by POST (upsert)."""
        values = dict(valid(s.PostEngagementSerializer, request))
        services.post_engagement_update(post_id=int(pk), values=values, by=request.user)
        return Response(s.PostDetailSerializer(selectors.post_get_for(request.user, post_id=int(pk))).data)

    @extend_schema(request={"multipart/form-data": s.ImportRequestSerializer}, responses={202: s.ImportRunSerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request):
        v = valid(s.ImportRequestSerializer, request)
        run = services.import_run_create(
            team_id=v["team"], upload=v["file"], kind=v["kind"], account_id=v["account"], by=request.user
        )
        run.refresh_from_db()
        return Response(s.ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ImportRunViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Import runs with their progress and bad rows (line and reason)."""

    model = ImportRun
    serializer_class = s.ImportRunSerializer

    def scoped_queryset(self, user):
        return selectors.import_run_list_for(user)

    @extend_schema(request=None, responses={202: s.ImportRunSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Queue a failed import again; it resumes after the rows already imported."""
        run = services.import_run_retry(import_run_id=int(pk), by=request.user)
        run.refresh_from_db()
        return Response(s.ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ChecklistViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Review checklists built from effective SOP versions."""

    model = Checklist
    serializer_class = s.ChecklistSerializer

    def scoped_queryset(self, user):
        return selectors.checklist_list_for(user)

    @extend_schema(request=s.ChecklistInputSerializer, responses={201: s.ChecklistSerializer})
    def create(self, request):
        v = valid(s.ChecklistInputSerializer, request)
        checklist = services.checklist_create(
            version_id=v["document_version"], name=v["name"], items=[dict(i) for i in v["items"]], by=request.user
        )
        return Response(
            s.ChecklistSerializer(selectors.checklist_get_for(request.user, checklist_id=checklist.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class PostReviewViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Post reviews: append-only; a new review of the same post and stage supersedes the last."""

    model = PostReview
    filter_params = frozenset({"post", "stage", "outcome"})

    def get_serializer_class(self):
        return s.PostReviewDetailSerializer if self.action == "retrieve" else s.PostReviewSerializer

    def scoped_queryset(self, user):
        qs = selectors.review_list_for(user)
        post = self.int_param("post")
        if post:
            qs = qs.filter(post_id=post)
        for name, choices in (("stage", Stage.values), ("outcome", Outcome.values)):
            value = self.choice_param(name, choices)
            if value:
                qs = qs.filter(**{name: value})
        return qs

    def get_object(self):
        return selectors.review_get_for(self.request.user, review_id=int(self.kwargs["pk"]))

    @extend_schema(request=s.ReviewInputSerializer, responses={201: s.PostReviewDetailSerializer})
    def create(self, request):
        v = valid(s.ReviewInputSerializer, request)
        review = services.review_submit(
            data=services.ReviewInput(
                post_id=v["post"],
                checklist_id=v["checklist"],
                stage=v["stage"],
                results=v["results"],
                defects=[dict(d) for d in v["defects"]],
                notes=v["notes"],
                started_at=timezone.now() - timedelta(seconds=v["time_spent_seconds"]),
                sampling_lot_id=v["sampling_lot"],
            ),
            by=request.user,
        )
        review = selectors.review_get_for(request.user, review_id=review.pk)
        return Response(s.PostReviewDetailSerializer(review).data, status=status.HTTP_201_CREATED)


class SamplingLotViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Post-publication sampling lots with their ISO 2859-1 (or percentage) plan and reproducible sample."""

    model = SamplingLot
    serializer_class = s.SamplingLotSerializer

    def scoped_queryset(self, user):
        return selectors.lot_list_for(user)

    @extend_schema(request=s.SamplingLotInputSerializer, responses={201: s.SamplingLotSerializer})
    def create(self, request):
        v = valid(s.SamplingLotInputSerializer, request)
        lot = services.sampling_lot_create(
            team_id=v["team"],
            account_id=v["account"],
            period_start=v["period_start"],
            period_end=v["period_end"],
            method=v["method"],
            aql=v["aql"],
            percent=v["percent"],
            seed=v["seed"],
            by=request.user,
        )
        return Response(s.SamplingLotSerializer(lot).data, status=status.HTTP_201_CREATED)

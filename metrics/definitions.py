"""The registry of metric definitions: what each metric means and how the rollups compute it.

A metric is a numerator over a denominator, each a sum of one rollup column (a count metric has
no denominator). A filter narrows the rollups that have its column and leaves the others whole:
a disclosure defect rate is disclosure defects over all reviews; a platform filter doesn't
narrow CAPAs, which have no platform.
"""

from dataclasses import dataclass

from .models import (
    AckDaily,
    CapaDaily,
    DefectDaily,
    FindingDaily,
    LotDaily,
    NcDaily,
    PostDaily,
    PrecheckDaily,
    ReviewDaily,
)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # "%" for rates, "" for counts, "min" for minutes
    numerator: tuple[type, tuple[str, ...]]
    denominator: tuple[type, tuple[str, ...]] | None = None
    scale: float = 1.0
    higher_is_better: bool = True
    description: str = ""


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric(
            "review_pass_rate",
            "Review pass rate",
            "%",
            (ReviewDaily, ("passed", "passed_minor")),
            (ReviewDaily, ("reviews",)),
            scale=100,
            description="Reviews that passed (with or without minor issues) over all reviews.",
        ),
        Metric(
            "review_fail_rate",
            "Review fail rate",
            "%",
            (ReviewDaily, ("failed",)),
            (ReviewDaily, ("reviews",)),
            scale=100,
            higher_is_better=False,
            description="Failed reviews over all reviews.",
        ),
        Metric("reviews", "Reviews", "", (ReviewDaily, ("reviews",)), description="Post reviews recorded."),
        Metric(
            "defects", "Defects", "", (DefectDaily, ("defects",)), higher_is_better=False, description="Defects found."
        ),
        Metric(
            "defect_rate",
            "Defects per 100 reviews",
            "%",
            (DefectDaily, ("defects",)),
            (ReviewDaily, ("reviews",)),
            scale=100,
            higher_is_better=False,
            description="Defects (of a category, if given) per 100 reviews.",
        ),
        Metric(
            "review_minutes",
            "Minutes per review",
            "min",
            (ReviewDaily, ("review_seconds",)),
            (ReviewDaily, ("reviews",)),
            scale=1 / 60,
            higher_is_better=False,
            description="Average time a reviewer spent on a review.",
        ),
        Metric(
            "engagement_rate",
            "Engagement rate",
            "%",
            (PostDaily, ("engagements_rated",)),
            (PostDaily, ("impressions",)),
            scale=100,
            description="Likes, comments, shares and saves over impressions, of the posts whose impressions"
            " the platform reports, by the day they were published.",
        ),
        Metric(
            "impressions", "Impressions", "", (PostDaily, ("impressions",)), description="Impressions of the posts."
        ),
        Metric(
            "engagements",
            "Engagements",
            "",
            (PostDaily, ("engagements",)),
            description="Likes, comments, shares and saves of the posts.",
        ),
        Metric(
            "posts_published",
            "Posts published",
            "",
            (PostDaily, ("posts_published",)),
            description="Posts published, by the day they went out.",
        ),
        Metric(
            "review_coverage",
            "Published posts reviewed",
            "%",
            (PostDaily, ("posts_reviewed",)),
            (PostDaily, ("posts_published",)),
            scale=100,
            description="Published posts with at least one review over all published posts.",
        ),
        Metric(
            "precheck_failures",
            "Pre-check failures",
            "",
            (PrecheckDaily, ("failures",)),
            higher_is_better=False,
            description="Posts failing a pre-check rule (critical or major), counted once per rule.",
        ),
        Metric(
            "nc_opened",
            "Nonconformities opened",
            "",
            (NcDaily, ("opened",)),
            higher_is_better=False,
            description="Nonconformities detected (of a source or category, if given).",
        ),
        Metric(
            "nc_closed",
            "Nonconformities closed",
            "",
            (NcDaily, ("closed",)),
            description="Nonconformities closed, with their CAPA or by a signed no-action decision.",
        ),
        Metric(
            "capa_on_time_rate",
            "CAPAs closed on time",
            "%",
            (CapaDaily, ("closed_on_time",)),
            (CapaDaily, ("closed",)),
            scale=100,
            description="CAPAs closed with every action item done by its due day, over all CAPAs closed.",
        ),
        Metric(
            "capa_mean_age_at_close",
            "Mean CAPA age at closure",
            "days",
            (CapaDaily, ("age_days_at_close",)),
            (CapaDaily, ("closed",)),
            higher_is_better=False,
            description="Whole days from opening to closure, averaged over the CAPAs closed.",
        ),
        Metric(
            "ack_on_time_rate",
            "Acknowledgements on time",
            "%",
            (AckDaily, ("on_time",)),
            (AckDaily, ("due",)),
            scale=100,
            description="SOP acknowledgements signed by their due time, over all that fell due.",
        ),
        Metric(
            "findings",
            "Audit findings",
            "",
            (FindingDaily, ("findings",)),
            higher_is_better=False,
            description="Audit findings recorded (of a classification or ISO 9001 clause, if given).",
        ),
        Metric(
            "lot_acceptance_rate",
            "Sampling lots accepted",
            "%",
            (LotDaily, ("accepted",)),
            (LotDaily, ("accepted", "rejected")),
            scale=100,
            description="Lots accepted over lots decided (ISO 2859-1 or fixed-percentage samples).",
        ),
    )
}

# What a metric can be broken down by: the API's ``by`` -> the rollup column. A breakdown needs
# the column on the metric's numerator (and denominator) table.
BREAKDOWNS = {
    "source": "source",
    "category": "category",
    "severity": "severity",
    "classification": "classification",
    "clause": "clause",
    "document": "document_id",
    "account": "account_id",
    "platform": "platform",
}


def metric_get(key: str) -> Metric | None:
    return METRICS.get(key)

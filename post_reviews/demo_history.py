"""Ninety days of published posts and their sampled reviews for the demo team, so the quality
dashboard has a real shape: a steady pass rate, one bad week that falls outside the p-chart's
limits, a clear Pareto of defects (disclosure first), and the platforms' engagement per account
(a different rate per account, growing, a dip in the bad week, a launch that took off).
Re-runnable: it adds nothing twice.

Reviews and defects are append-only records without an audit trail of their own, so they are
stored in bulk here; the posts go through the posts service like any import.
"""

import random
from datetime import timedelta

from django.utils import timezone

from . import services
from .models import Checklist, Defect, Post, PostReview, SocialAccount, Source

MARK = "demo history"
DAYS = 90
PER_DAY = 6
BAD_WEEK = range(35, 42)  # days ago: the week a new freelancer skipped the disclosure step
LAUNCH = range(12, 17)  # days ago: the winter collection's launch, which engaged well
PARETO = (
    ["disclosure"] * 8 + ["accessibility"] * 5 + ["link"] * 3 + ["spelling_grammar"] * 2 + ["brand_voice", "timing"]
)


def _engagement(rng: random.Random, index: int, platform: str, day: int) -> dict:
    """Platform figures with a shape: each account its own audience and rate, a slow growth
    towards today, weekends quieter, the bad week's posts engaging less and a campaign that
    took off (LAUNCH)."""
    base, rate = ((2400, 0.042), (5200, 0.028), (1100, 0.061), (3000, 0.019))[index % 4]
    growth = 1 + 0.6 * (DAYS - day) / DAYS
    weekend = 0.7 if (timezone.localdate() - timedelta(days=day)).weekday() >= 5 else 1.0
    impressions = int(base * growth * weekend * rng.uniform(0.7, 1.3))
    rate *= (0.6 if day in BAD_WEEK else 1.0) * (1.8 if day in LAUNCH else 1.0) * rng.uniform(0.8, 1.2)
    engagements = int(impressions * rate)
    likes, comments, shares = int(engagements * 0.7), int(engagements * 0.1), int(engagements * 0.12)
    video = platform in ("instagram", "tiktok", "youtube") and rng.random() < 0.5
    return {
        "impressions": impressions,
        "reach": int(impressions * rng.uniform(0.6, 0.85)),
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "saves": engagements - likes - comments - shares,
        "video_views": int(impressions * 0.4) if video else None,
    }


def seed_review_history(*, team_id: int, reviewer, importer) -> int:
    accounts = list(SocialAccount.objects.filter(team_id=team_id).order_by("id"))
    checklist = Checklist.objects.filter(team_id=team_id, active=True).order_by("id").first()
    if not accounts or checklist is None:
        return 0
    rng = random.Random(2026)  # the same demo every time
    figures = random.Random(2027)  # engagement draws its own numbers: the reviews stay as they were
    now = timezone.now().replace(hour=11, minute=0, second=0, microsecond=0)
    items = []
    for day in range(1, DAYS + 1):
        for n in range(PER_DAY):
            index = (day + n) % len(accounts)
            account = accounts[index]
            items.append(
                (
                    account.pk,
                    services.PostInput(
                        external_id=f"hist-{day:03d}-{n}",
                        text=f"Knit tip {day}-{n}: cast on loosely. #knitting",
                        status="published",
                        published_at=now - timedelta(days=day, hours=n),
                        author_name="Dan Reyes",
                        **_engagement(figures, index, account.platform, day),
                    ),
                )
            )
    # Idempotent, and a demo seeded before engagement existed gets its figures (engagement only).
    services.posts_upsert_batch(account_by_id={a.pk: a for a in accounts}, items=items, source=Source.CSV, by=importer)
    if PostReview.objects.filter(team_id=team_id, notes=MARK).exists():
        return 0
    posts = Post.objects.filter(team_id=team_id, external_id__startswith="hist-").order_by("external_id")
    reviews, defect_specs = [], []
    for post in posts:
        day = int(post.external_id.split("-")[1])
        fail_chance = 0.45 if day in BAD_WEEK else 0.08
        roll = rng.random()
        outcome = "fail" if roll < fail_chance else ("pass_minor" if roll < fail_chance + 0.1 else "pass")
        reviews.append(
            PostReview(
                post=post,
                team_id=team_id,
                reviewer=reviewer,
                checklist=checklist,
                checklist_version=str(checklist.document_version),
                stage="post_publication",
                outcome=outcome,
                score=60 if outcome == "fail" else (90 if outcome == "pass_minor" else 100),
                time_spent_seconds=rng.randint(40, 200),
                post_content_hash=post.content_hash,
                notes=MARK,
                submitted_at=post.published_at + timedelta(hours=3),
            )
        )
        if outcome != "pass":
            category = "disclosure" if day in BAD_WEEK and outcome == "fail" else rng.choice(PARETO)
            defect_specs.append((category, "major" if outcome == "fail" else "minor"))
        else:
            defect_specs.append(None)
    PostReview.objects.bulk_create(reviews, batch_size=500)
    Defect.objects.bulk_create(
        [
            Defect(review=review, post=review.post, team_id=team_id, category=spec[0], severity=spec[1], note=MARK)
            for review, spec in zip(reviews, defect_specs, strict=True)
            if spec is not None
        ],
        batch_size=500,
    )
    return len(reviews)

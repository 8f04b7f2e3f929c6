"""The embedded default (SQLite, `make run`): rollups rebuilt with the ORM.

Demo volumes are small, so every run is a full rebuild; PostgreSQL runs the set-based SQL in
``rollups.py`` instead. The tests hold the two to the same rows.
"""

from collections import Counter
from zoneinfo import ZoneInfo

from django.db import transaction

from post_reviews.selectors import defects_for_rollup, reviews_for_rollup

from .models import DefectDaily, ReviewDaily


@transaction.atomic
def rollup_rebuild_orm(*, tz: str) -> int:
    zone = ZoneInfo(tz)
    reviews: dict[tuple, Counter] = {}
    for row in reviews_for_rollup():
        key = (row["submitted_at"].astimezone(zone).date(), row["team_id"], row["account_id"], row["stage"])
        counts = reviews.setdefault(key, Counter(platform=0))
        counts["reviews"] += 1
        counts[{"pass": "passed", "pass_minor": "passed_minor", "fail": "failed"}[row["outcome"]]] += 1
        counts["review_seconds"] += row["time_spent_seconds"]
        counts["platform:" + row["platform"]] = 1
    defects: Counter = Counter()
    platforms: dict[int, str] = {}
    for row in defects_for_rollup():
        day = row["submitted_at"].astimezone(zone).date()
        defects[(day, row["team_id"], row["account_id"], row["category"], row["severity"])] += 1
        platforms[row["account_id"]] = row["platform"]
    ReviewDaily.objects.all().delete()
    DefectDaily.objects.all().delete()
    ReviewDaily.objects.bulk_create(
        ReviewDaily(
            day=day,
            team_id=team,
            account_id=account,
            stage=stage,
            platform=next(k.split(":", 1)[1] for k in c if k.startswith("platform:")),
            reviews=c["reviews"],
            passed=c["passed"],
            passed_minor=c["passed_minor"],
            failed=c["failed"],
            review_seconds=c["review_seconds"],
        )
        for (day, team, account, stage), c in reviews.items()
    )
    DefectDaily.objects.bulk_create(
        DefectDaily(day=d, team_id=t, account_id=a, platform=platforms[a], category=cat, severity=sev, defects=n)
        for (d, t, a, cat, sev), n in defects.items()
    )
    from .fallback_posts import rollup_posts_orm

    return len({(k[0], k[1]) for k in reviews} | rollup_posts_orm(tz=tz))

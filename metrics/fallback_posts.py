"""The embedded default (SQLite, `make run`): the post rollups rebuilt with the ORM, the same rows
as ``rollups_posts.py`` computes in SQL (a test holds the two together on PostgreSQL)."""

from collections import Counter
from zoneinfo import ZoneInfo

from post_reviews.selectors import posts_for_rollup

from .models import PostDaily, PrecheckDaily

COUNTERS = ("impressions", "reach", "likes", "comments", "shares", "saves", "video_views")
FAILING = ("critical", "major")


def rollup_posts_orm(*, tz: str) -> set[tuple]:
    """Rebuild PostDaily and PrecheckDaily from the posts; returns the (day, team) keys."""
    zone = ZoneInfo(tz)
    posts: dict[tuple, Counter] = {}
    failures: Counter = Counter()
    platforms: dict[int, str] = {}
    for row in posts_for_rollup():
        at = row["published_at"] or row["scheduled_at"]
        key = (at.astimezone(zone).date(), row["team_id"], row["account_id"])
        platforms[row["account_id"]] = row["platform"]
        counts = posts.setdefault(key, Counter())
        published = row["status"] == "published"
        counts["posts"] += 1
        counts["posts_published"] += published
        counts["posts_reviewed"] += published and row["reviewed"]
        for c in COUNTERS:
            counts[c] += row[c] or 0
        engagements = sum(row[c] or 0 for c in ("likes", "comments", "shares", "saves"))
        counts["engagements"] += engagements
        counts["engagements_rated"] += engagements if row["impressions"] is not None else 0
        if row["precheck_failures"] > 0 and isinstance(row["prechecks"], list):
            found = [f for f in row["prechecks"] if isinstance(f, dict) and f.get("severity") in FAILING]
            for rule in {f.get("rule") or "" for f in found}:
                failures[(*key, rule)] += 1
    PostDaily.objects.all().delete()
    PrecheckDaily.objects.all().delete()
    PostDaily.objects.bulk_create(
        PostDaily(day=d, team_id=t, account_id=a, platform=platforms[a], **counts)
        for (d, t, a), counts in posts.items()
    )
    PrecheckDaily.objects.bulk_create(
        PrecheckDaily(day=d, team_id=t, account_id=a, platform=platforms[a], rule=rule, failures=n)
        for (d, t, a, rule), n in failures.items()
    )
    return {(d, t) for d, t, _ in posts}

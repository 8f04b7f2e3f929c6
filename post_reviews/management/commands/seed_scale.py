"""Benchmark volumes: a team with accounts, N posts and M reviews, written set-based in SQL.

    manage.py seed_scale --posts 1000000 --reviews 1000000
    manage.py seed_scale --posts 10000000 --reviews 10000000 --teams 20 --days 730   # metrics bench

PostgreSQL only. The rows are synthetic and have no history rows (they are never edited);
everything else about them is what the app writes. Posts go round robin to the teams and are
published over the last --days days (newer ids later); each post gets at most one review, submitted
within the hour, and failed or minor reviews get defects. Rows are written by INSERT ... SELECT
over generate_series, a million per transaction, without per-row foreign key checks or the rollup
queue triggers (so rebuild the rollups in full, as bench/metrics.py does, afterwards). Re-running adds
only what is missing.
"""

import secrets
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import membership_grant, team_create
from post_reviews import queue_counts
from post_reviews.models import Checklist, ChecklistItem, DefectCategory, Post, PostReview, SocialAccount

SOP_NUMBER = "SOP-SCALE-1"


def _scale_sop(team, author):
    """The SOP the scale checklist is built from, put in force through document control's own
    services (drafted, submitted, approved with a signature), once."""
    from docs_control import services as docs
    from docs_control.selectors import effective_versions_of_teams

    version = effective_versions_of_teams({team.pk}).filter(document__number=SOP_NUMBER).first()
    if version is not None:
        return version
    lead, _ = User.objects.get_or_create(username="scale-lead", defaults={"first_name": "Scale", "last_name": "Lead"})
    password = secrets.token_urlsafe(24)  # used once, to sign the approval below
    lead.set_password(password)
    lead.save(update_fields=["password"])
    membership_grant(team=team, user=lead, role="team_lead", by=None)
    document = docs.document_create(team_id=team.pk, number=SOP_NUMBER, title="Scale SOP", body="Scale", by=author)
    draft = document.versions.get()
    docs.version_submit(version_id=draft.pk, by=author, approver_ids=[lead.pk])
    docs.version_approve(version_id=draft.pk, by=lead, password=password)
    return effective_versions_of_teams({team.pk}).get(document__number=SOP_NUMBER)


class Command(BaseCommand):
    help = "Create benchmark volumes of posts, reviews and their defects (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=1_000_000, help="Posts in all the teams together.")
        parser.add_argument("--reviews", type=int, default=1_000_000, help="Reviews (one per post, at most).")
        parser.add_argument("--team", default="Scale", help="Name of the first team; others get a number.")
        parser.add_argument("--teams", type=int, default=1, help="Teams the rows are spread over (round robin).")
        parser.add_argument("--days", type=int, default=730, help="Days back the publications and reviews span.")
        parser.add_argument("--chunk", type=int, default=1_000_000, help="Rows per transaction.")

    def handle(self, *args, posts, reviews, team, teams, days, chunk, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL (set DATABASE_URL).")
        if teams < 1 or days < 1 or chunk < 1:
            raise CommandError("--teams, --days and --chunk must be at least 1.")
        reviews = min(reviews, posts)
        user, _ = User.objects.get_or_create(username="scale-qa", defaults={"first_name": "Scale", "last_name": "QA"})
        team_ids, account_ids, checklist_ids = [], [], []
        for t in range(teams):
            team_obj = team_create(name=team if t == 0 else f"{team} {t + 1:02d}")
            membership_grant(team=team_obj, user=user, role="qa_manager", by=None)
            for i, platform in enumerate(["instagram", "x", "linkedin", "tiktok"] * 5):
                account, _ = SocialAccount.objects.get_or_create(team=team_obj, platform=platform, handle=f"scale{i}")
                account_ids.append(account.pk)
            # A fresh user object: permissions cache the user's teams on it.
            version = _scale_sop(team_obj, User.objects.get(pk=user.pk))
            checklist, _ = Checklist.objects.get_or_create(
                team=team_obj, name="Scale checklist", defaults={"document_version": version, "created_by": user}
            )
            if not checklist.items.exists():
                ChecklistItem.objects.create(checklist=checklist, order=1, criterion="Looks right")
            team_ids.append(team_obj.pk)
            checklist_ids.append(checklist.pk)
        have_posts = Post.objects.filter(team_id__in=team_ids).count()
        have_reviews = PostReview.objects.filter(team_id__in=team_ids).count()
        params = {
            "teams": team_ids,
            "nteams": teams,
            "accounts": account_ids,
            "checklists": checklist_ids,
            "user": user.pk,
            "now": timezone.now(),
            "span": days * 86400,
            "posts": posts,
            "categories": list(DefectCategory.values),
        }
        started = time.monotonic()
        for start in range(have_posts + 1, posts + 1, chunk):
            self._run(POSTS_SQL, {**params, "start": start, "end": min(posts, start + chunk - 1)})
            self._progress(started, f"posts {min(posts, start + chunk - 1):,}/{posts:,}")
        done = have_reviews
        while done < reviews:
            count = min(chunk, reviews - done)
            self._run(REVIEWS_SQL, {**params, "have": done, "count": count}, defects=True)
            done += count
            self._progress(started, f"reviews (and defects) {done:,}/{reviews:,}")
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
            cursor.execute(queue_counts.REBUILD)  # the counting triggers were off too
            # What autovacuum does on a live system: statistics and the visibility map that lets
            # the queue's partial indexes answer counts without visiting the table.
            for table in ("post_reviews_post", "post_reviews_postreview", "post_reviews_defect"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        self._progress(started, "vacuumed")
        self.stdout.write(
            self.style.SUCCESS(
                f"{teams} team(s) from {team!r}: {posts:,} posts, {reviews:,} reviews over {days} days "
                "(user scale-qa). "
                "Rollups are not queued: rebuild them (metrics.services.rollup_metrics(full=True))."
            )
        )

    def _run(self, sql, params, defects=False):
        with transaction.atomic(), connection.cursor() as cursor:
            # Synthetic rows, consistent by construction: no per-row foreign key checks and no
            # rollup queue triggers (superuser only; a plain role gets the checks and the queue).
            cursor.execute(
                "DO $$ BEGIN SET LOCAL session_replication_role = replica; "
                "EXCEPTION WHEN insufficient_privilege THEN NULL; END $$"
            )
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute(sql, params)
            if defects:
                cursor.execute(DEFECTS_SQL, params)

    def _progress(self, started, what):
        self.stdout.write(f"{time.monotonic() - started:7.0f} s  {what}")
        self.stdout.flush()


# Post g goes to team g % teams and one of that team's 20 accounts; newer ids are more recent.
# Every 20th post of a team waits for review, all of them on the team's first (Instagram)
# account: a filter such as platform=x&review_state=pending matches nothing, the worst case.
POSTS_SQL = """
INSERT INTO post_reviews_post (account_id, team_id, external_id, url, text, media, campaign,
    author_name, sponsored, status, published_at, source, content_hash, prechecks,
    precheck_failures, review_state, approved_for_publishing, created_at, updated_at)
SELECT (%(accounts)s::bigint[])[1 + (g %% %(nteams)s) * 20 + (g / %(nteams)s) %% 20],
    (%(teams)s::bigint[])[1 + g %% %(nteams)s],
    'scale-' || g, 'https://social.example/p/' || g,
    'Scale post ' || g || ' about our autumn collection #knitwear https://brand.example/p/' || g,
    '[]'::jsonb, CASE WHEN g %% 10 = 0 THEN 'autumn' ELSE '' END, 'Scale author',
    g %% 13 = 0, 'published',
    %(now)s - make_interval(secs => %(span)s::float8 * (%(posts)s - g) / %(posts)s + 3600),
    'csv', md5(g::text), '[]'::jsonb, CASE WHEN g %% 17 = 0 THEN 1 ELSE 0 END,
    CASE WHEN (g / %(nteams)s) %% 20 = 0 THEN 'pending' ELSE 'passed' END, false, %(now)s, %(now)s
FROM generate_series(%(start)s::bigint, %(end)s::bigint) g
"""

# One review per post, in post order, submitted within the hour after publication.
REVIEWS_SQL = """
INSERT INTO post_reviews_postreview (post_id, team_id, reviewer_id, checklist_id, checklist_version,
    stage, outcome, score, time_spent_seconds, post_content_hash, notes, submitted_at)
SELECT p.id, p.team_id, %(user)s, m.checklist_id, 'SOP-SCALE-1 v1.0',
    CASE WHEN p.id %% 4 = 0 THEN 'pre_publication' ELSE 'post_publication' END,
    CASE WHEN p.id %% 11 = 0 THEN 'fail' WHEN p.id %% 7 = 0 THEN 'pass_minor' ELSE 'pass' END,
    CASE WHEN p.id %% 11 = 0 THEN 60.0 WHEN p.id %% 7 = 0 THEN 90.0 ELSE 100.0 END,
    30 + p.id %% 90, p.content_hash, '', p.published_at + make_interval(secs => 60 + p.id %% 3000)
FROM post_reviews_post p
JOIN unnest(%(teams)s::bigint[], %(checklists)s::bigint[]) AS m(team_id, checklist_id) ON m.team_id = p.team_id
WHERE p.id > coalesce((SELECT max(post_id) FROM post_reviews_postreview WHERE team_id = ANY(%(teams)s::bigint[])), 0)
ORDER BY p.id
LIMIT %(count)s
"""

# The defects of the reviews just written: one per failed or minor review, a second for every
# third failure.
DEFECTS_SQL = """
INSERT INTO post_reviews_defect (review_id, post_id, team_id, category, severity, note, created_at)
SELECT r.id, r.post_id, r.team_id,
    (%(categories)s::text[])[1 + (r.id + n) %% array_length(%(categories)s::text[], 1)],
    CASE WHEN r.outcome = 'pass_minor' THEN 'minor' WHEN r.id %% 3 = 0 THEN 'critical' ELSE 'major' END,
    '', r.submitted_at
FROM post_reviews_postreview r
CROSS JOIN generate_series(0, 1) n
WHERE r.id > coalesce((SELECT max(review_id) FROM post_reviews_defect), 0)
  AND r.team_id = ANY(%(teams)s::bigint[])
  AND r.outcome <> 'pass'
  AND (n = 0 OR (r.outcome = 'fail' AND r.id %% 3 = 0))
"""

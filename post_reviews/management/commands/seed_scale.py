"""Benchmark volumes: a team with accounts, N posts and M reviews, written set-based in SQL.

    manage.py seed_scale --posts 1000000 --reviews 1000000

PostgreSQL only. The rows are synthetic and have no history rows (they are never edited);
everything else about them is what the app writes. Re-running adds nothing when the team
already has the requested volume.
"""

import secrets

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import membership_grant, team_create
from post_reviews.models import Checklist, ChecklistItem, Post, PostReview, SocialAccount

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
    help = "Create benchmark volumes of posts and reviews (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=1_000_000)
        parser.add_argument("--reviews", type=int, default=1_000_000)
        parser.add_argument("--team", default="Scale")

    def handle(self, *args, posts, reviews, team, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL (set DATABASE_URL).")
        team_obj = team_create(name=team)
        user, _ = User.objects.get_or_create(username="scale-qa", defaults={"first_name": "Scale", "last_name": "QA"})
        membership_grant(team=team_obj, user=user, role="qa_manager", by=None)
        accounts = []
        for i, platform in enumerate(["instagram", "x", "linkedin", "tiktok"] * 5):
            account, _ = SocialAccount.objects.get_or_create(team=team_obj, platform=platform, handle=f"scale{i}")
            accounts.append(account.pk)
        version = _scale_sop(team_obj, user)
        checklist, _ = Checklist.objects.get_or_create(
            team=team_obj, name="Scale checklist", defaults={"document_version": version, "created_by": user}
        )
        if not checklist.items.exists():
            ChecklistItem.objects.create(checklist=checklist, order=1, criterion="Looks right")
        have_posts = Post.objects.filter(team=team_obj).count()
        have_reviews = PostReview.objects.filter(team=team_obj).count()
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            if posts > have_posts:
                cursor.execute(
                    """
                    INSERT INTO post_reviews_post (account_id, team_id, external_id, url, text, media, campaign,
                        author_name, sponsored, status, published_at, source, content_hash, prechecks,
                        precheck_failures, review_state, approved_for_publishing, created_at, updated_at)
                    SELECT (%(accounts)s::bigint[])[1 + g %% array_length(%(accounts)s::bigint[], 1)], %(team)s,
                        'scale-' || g, 'https://social.example/p/' || g,
                        'Scale post ' || g || ' about our autumn collection #knitwear https://brand.example/p/' || g,
                        '[]'::jsonb, CASE WHEN g %% 10 = 0 THEN 'autumn' ELSE '' END, 'Scale author',
                        g %% 13 = 0, 'published', %(now)s - (g || ' minutes')::interval, 'csv', md5(g::text),
                        '[]'::jsonb, CASE WHEN g %% 17 = 0 THEN 1 ELSE 0 END,
                        CASE WHEN g %% 20 = 0 THEN 'pending' ELSE 'passed' END, false, %(now)s, %(now)s
                    FROM generate_series(%(start)s, %(end)s) g
                    """,
                    {"accounts": accounts, "team": team_obj.pk, "now": now, "start": have_posts + 1, "end": posts},
                )
                self.stdout.write(f"posts: +{posts - have_posts}")
            if reviews > have_reviews:
                cursor.execute(
                    """
                    INSERT INTO post_reviews_postreview (post_id, team_id, reviewer_id, checklist_id, checklist_version,
                        stage, outcome, score, time_spent_seconds, post_content_hash, notes, submitted_at)
                    SELECT p.id, p.team_id, %(user)s, %(checklist)s, 'SOP-SCALE-1 v1.0',
                        'post_publication', CASE WHEN p.id %% 11 = 0 THEN 'fail' ELSE 'pass' END, 100.0,
                        30 + p.id %% 90, p.content_hash, '', %(now)s
                    FROM post_reviews_post p
                    WHERE p.team_id = %(team)s
                    ORDER BY p.id
                    OFFSET %(have)s LIMIT %(count)s
                    """,
                    {
                        "user": user.pk,
                        "checklist": checklist.pk,
                        "now": now,
                        "team": team_obj.pk,
                        "have": have_reviews,
                        "count": reviews - have_reviews,
                    },
                )
                self.stdout.write(f"reviews: +{reviews - have_reviews}")
        with connection.cursor() as cursor:
            # What autovacuum does on a live system: statistics and the visibility map that lets
            # the queue's partial indexes answer counts without visiting the table.
            cursor.execute("VACUUM ANALYZE post_reviews_post")
            cursor.execute("VACUUM ANALYZE post_reviews_postreview")
        self.stdout.write(self.style.SUCCESS(f"Team {team}: {posts} posts, {reviews} reviews (user scale-qa)."))

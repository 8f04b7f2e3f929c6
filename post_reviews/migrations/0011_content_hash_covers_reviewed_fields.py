# The content hash now covers every reviewed field (post_reviews.workflow.REVIEWED_FIELDS: text,
# media, URL, campaign, sponsored, scheduled time), not only text and media, so a change to any of
# them withdraws an approval. Existing posts get their hash under the new definition, and a review
# that saw a post's current content keeps matching it (it is not "changed since review"). The
# posts' history rows keep the hashes of their time: the definition changed, not the posts.

import hashlib
import json
from datetime import UTC

from django.db import migrations


def _old_hash(post) -> str:
    payload = json.dumps(
        {"text": post.text, "media": post.media}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _new_hash(post) -> str:
    payload = json.dumps(
        {
            "campaign": post.campaign,
            "media": post.media,
            "scheduled_at": post.scheduled_at.astimezone(UTC).isoformat() if post.scheduled_at else None,
            "sponsored": post.sponsored,
            "text": post.text,
            "url": post.url,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _rehash(apps, old, new):
    Post = apps.get_model("post_reviews", "Post")
    PostReview = apps.get_model("post_reviews", "PostReview")
    last = 0
    while True:
        posts = list(
            Post.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "text", "media", "url", "campaign", "sponsored", "scheduled_at", "content_hash")[:2000]
        )
        if not posts:
            return
        last = posts[-1].pk
        renamed = {}
        for post in posts:
            if post.content_hash == old(post):
                renamed[post.pk] = (post.content_hash, new(post))
                post.content_hash = renamed[post.pk][1]
        Post.objects.bulk_update([p for p in posts if p.pk in renamed], ["content_hash"])
        reviews = list(PostReview.objects.filter(post_id__in=renamed).only("pk", "post_id", "post_content_hash"))
        for review in reviews:
            before, after = renamed[review.post_id]
            if review.post_content_hash == before:
                review.post_content_hash = after
        PostReview.objects.bulk_update(reviews, ["post_content_hash"], batch_size=2000)


def forward(apps, schema_editor):
    _rehash(apps, _old_hash, _new_hash)


def backward(apps, schema_editor):
    _rehash(apps, _new_hash, _old_hash)


class Migration(migrations.Migration):
    dependencies = [("post_reviews", "0010_one_category_vocabulary")]

    operations = [migrations.RunPython(forward, backward)]

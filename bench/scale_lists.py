"""Server time and query count of the review queue and the API lists at scale.

    .venv/bin/python manage.py seed_scale --posts 1000000 --reviews 1000000   # with DATABASE_URL set
    .venv/bin/python bench/scale_lists.py

Requests go through Django's full stack in process (no network), as the "scale-qa" user; each
is timed over 5 runs after one warm-up and the median is printed with its query count.
"""

import base64
import statistics
import time
from urllib.parse import quote

from common import setup


def cursor_after(post_id: int) -> str:
    # DRF's cursor: base64 of "p=<position>" for the ordering field (-id).
    return quote(base64.b64encode(f"p={post_id}".encode()).decode())


def main() -> None:
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from post_reviews.models import Post, PostReview

    user = User.objects.get(username="scale-qa")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    team_id = user.memberships.first().team_id
    posts = Post.objects.filter(team_id=team_id)
    ids = list(posts.order_by("id").values_list("id", flat=True)[:: max(1, posts.count() // 10)])
    mid, deep = ids[len(ids) // 2], ids[1]
    waiting = Post.objects.filter(team_id=team_id, review_state__in=["pending", "changed"]).order_by(
        "-precheck_failures", "id"
    )
    deep_wait = waiting.values_list("precheck_failures", "id")[max(0, waiting.count() - 60)]
    reviews_deep = PostReview.objects.filter(team_id=team_id).order_by("id").values_list("id", flat=True)[1000]
    print(
        f"posts in team: {posts.count():,}; reviews: {PostReview.objects.filter(team_id=team_id).count():,}; "
        f"waiting: {waiting.count():,}"
    )
    cases = [
        ("queue page 1", "/reviews/"),
        ("queue deep page", f"/reviews/?after={deep_wait[0]}:{deep_wait[1]}"),
        ("queue filtered by platform", "/reviews/?platform=x"),
        ("API posts page 1", "/api/v1/posts/"),
        ("API posts middle", f"/api/v1/posts/?cursor={cursor_after(mid)}"),
        ("API posts deep", f"/api/v1/posts/?cursor={cursor_after(deep)}"),
        ("API posts filtered", "/api/v1/posts/?platform=x&review_state=pending"),
        ("API post-reviews page 1", "/api/v1/post-reviews/"),
        ("API post-reviews deep", f"/api/v1/post-reviews/?cursor={cursor_after(reviews_deep)}"),
    ]
    for name, url in cases:
        client.get(url)
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{name:28s} {statistics.median(times):8.1f} ms  {len(queries):3d} queries  {url[:60]}")


if __name__ == "__main__":
    main()

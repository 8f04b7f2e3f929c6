from celery import shared_task


@shared_task(time_limit=30 * 60, soft_time_limit=28 * 60)
def import_run_execute(import_run_id: int) -> None:
    from post_reviews.services import import_run_execute as run

    run(import_run_id=import_run_id)


@shared_task
def post_precheck(post_id: int) -> None:
    from post_reviews.services import post_precheck as run

    run(post_id=post_id)


@shared_task
def posts_recheck_team(team_id: int) -> None:
    from post_reviews.services import posts_recheck_waiting

    posts_recheck_waiting(team_id=team_id)


@shared_task
def posts_precheck_many(post_ids: list[int]) -> None:
    from post_reviews.services import post_precheck_many

    post_precheck_many(post_ids=post_ids)

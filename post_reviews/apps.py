from django.apps import AppConfig


class PostReviewsConfig(AppConfig):
    name = "post_reviews"
    verbose_name = "Post reviews"

    def ready(self) -> None:
        from core.registry import register_dashboard_panel, register_nav

        from .selectors import dashboard_panel

        register_nav("Reviews", "post_reviews:queue", order=20)
        register_dashboard_panel("post_reviews", dashboard_panel, order=20)

        from core.jobs import register_job

        # Imports are idempotent and skip the rows of committed batches: safe to resume.
        register_job("post_reviews.ImportRun", task="post_reviews.tasks.import_run_execute")

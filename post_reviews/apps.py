from django.apps import AppConfig


class PostReviewsConfig(AppConfig):
    name = "post_reviews"
    verbose_name = "Post reviews"

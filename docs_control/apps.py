from django.apps import AppConfig


class DocsControlConfig(AppConfig):
    name = "docs_control"
    verbose_name = "Document control"

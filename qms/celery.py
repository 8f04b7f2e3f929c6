"""The Celery app. Configuration lives in Django settings under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.local")

# QmsTask (a DjangoTask) gives every task `delay_on_commit`, so services enqueue only after their
# commit, and a broker outage at that moment is logged for the sweeper instead of raised.
app = Celery("qms", task_cls="core.broker:QmsTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

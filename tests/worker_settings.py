"""Settings for the Celery worker and beat processes that tests start (tests/servers.py).

The test settings, plus: the test's own queue (parallel runs on a shared broker never take each
other's tasks, including those a task sends), a beat schedule of seconds when asked, and emails
written to files so the test can count what was sent.
"""

import os

from qms.settings.test import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["QMS_TEST_QUEUE"]
if os.environ.get("QMS_TEST_BEAT_SECONDS"):
    _every = float(os.environ["QMS_TEST_BEAT_SECONDS"])
    CELERY_BEAT_SCHEDULE = {
        name: {**CELERY_BEAT_SCHEDULE[name], "schedule": _every}  # noqa: F405
        for name in os.environ.get("QMS_TEST_BEAT_JOBS", "").split(",")
        if name
    }
if os.environ.get("QMS_TEST_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["QMS_TEST_EMAIL_DIR"]

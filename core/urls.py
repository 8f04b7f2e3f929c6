from django.urls import path

from core.views import health, pages

app_name = "core"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("inbox/", pages.inbox, name="inbox"),
    path("inbox/read-all/", pages.inbox_read_all, name="inbox-read-all"),
    path("inbox/<int:notification_id>/read/", pages.inbox_read, name="inbox-read"),
    path("attachments/<int:attachment_id>/", pages.attachment_download, name="attachment-download"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

from django.contrib import admin

from core.admin_site import admin_site
from core.models import Attachment, Notification, Signature, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the app writes through services: visible here, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Signature, site=admin_site)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["signed_at", "printed_name", "meaning", "record_type", "record_id", "record_version"]
    list_filter = ["meaning"]
    list_select_related = ["record_type"]


@admin.register(Attachment, site=admin_site)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "original_name", "team", "size", "content_type", "uploaded_by"]
    list_select_related = ["team", "uploaded_by"]


@admin.register(Notification, site=admin_site)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at", "emailed_at"]
    list_select_related = ["recipient"]


@admin.register(WorkerHeartbeat, site=admin_site)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_seen_at", "hostname"]

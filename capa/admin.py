from django.contrib import admin

from core.admin import ReadOnlyAdmin
from core.admin_site import admin_site

from .models import ActionItem, ContainmentAction, CorrectiveAction, EffectivenessCheck, Nonconformity


@admin.register(Nonconformity, site=admin_site)
class NonconformityAdmin(ReadOnlyAdmin):
    list_display = ["reference", "team", "source_kind", "category", "severity", "status", "detected_at"]
    list_filter = ["status", "severity", "source_kind", "category"]
    list_select_related = ["team"]
    search_fields = ["reference", "title"]


@admin.register(ContainmentAction, site=admin_site)
class ContainmentActionAdmin(ReadOnlyAdmin):
    list_display = ["nonconformity", "disposition", "done_at", "recorded_by"]
    list_select_related = ["nonconformity", "recorded_by"]


@admin.register(CorrectiveAction, site=admin_site)
class CorrectiveActionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "team", "title", "owner", "status", "opened_at", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["team", "owner"]
    search_fields = ["reference", "title"]


@admin.register(ActionItem, site=admin_site)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ["corrective_action", "action_type", "owner", "due_date", "done_at"]
    list_select_related = ["corrective_action", "owner"]


@admin.register(EffectivenessCheck, site=admin_site)
class EffectivenessCheckAdmin(ReadOnlyAdmin):
    list_display = ["corrective_action", "due_date", "result", "checked_at", "metric_key"]
    list_select_related = ["corrective_action"]

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin
from core.admin_site import admin_site

from .models import ManagementReview, TrendAlert, TrendRule


@admin.register(TrendRule, site=admin_site)
class TrendRuleAdmin(SimpleHistoryAdmin):
    """A team's defect-trend rule: the one setting edited here (no page of its own yet)."""

    list_display = ["team", "factor", "weeks", "min_reviews", "baseline_days", "active"]
    list_select_related = ["team"]


@admin.register(TrendAlert, site=admin_site)
class TrendAlertAdmin(ReadOnlyAdmin):
    list_display = ["team", "account_id", "category", "week_start", "week_end", "nonconformity"]
    list_select_related = ["team", "nonconformity"]


@admin.register(ManagementReview, site=admin_site)
class ManagementReviewAdmin(ReadOnlyAdmin):
    list_display = ["title", "team", "period_start", "period_end", "status", "chair"]
    list_select_related = ["team", "chair"]

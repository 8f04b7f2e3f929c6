"""The admin site is for superusers only (core.admin_site); team admins use the product's pages.

DRF's authtoken admin is not registered (nor its app installed): it listed every key.
API tokens show here by name and prefix only; the key itself is never stored.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import ApiToken, Membership, Team, User
from core.admin_site import admin_site


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["team"]


@admin.register(User, site=admin_site)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]

    def has_delete_permission(self, request, obj=None):
        # People who signed or changed controlled records stay attributable: deactivate instead.
        return False


@admin.register(Team, site=admin_site)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ApiToken, site=admin_site)
class ApiTokenAdmin(admin.ModelAdmin):
    """Revoke (delete) tokens; nothing to add or edit: a token is issued to its owner only."""

    list_display = ["user", "name", "prefix", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "name", "prefix"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

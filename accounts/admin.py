from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Membership, Team, User
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


admin_site.register(TokenProxy, TokenAdmin)

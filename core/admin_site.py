from django.contrib import admin

from accounts.permissions import is_admin


class QMSAdminSite(admin.AdminSite):
    site_header = "QMS administration"
    site_title = "QMS admin"

    def has_permission(self, request) -> bool:
        # Admins only: a superuser or a team admin, never a QA manager or team lead.
        return is_admin(request.user) and request.user.is_staff


admin_site = QMSAdminSite(name="admin")

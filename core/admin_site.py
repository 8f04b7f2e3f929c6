from django.contrib import admin

from accounts.permissions import can_use_admin_site


class QMSAdminSite(admin.AdminSite):
    """The Django admin, for superusers only.

    A team admin manages their own team's members and roles on the product's pages
    (``accounts``: ``/accounts/teams/<id>/members/``), through the audited services. The admin
    site is not scoped by team: it can edit any user, flag and membership, so letting a team
    admin in would let them take over every team (issue 9).
    """

    site_header = "QMS administration"
    site_title = "QMS admin"

    def has_permission(self, request) -> bool:
        return can_use_admin_site(request.user)


admin_site = QMSAdminSite(name="admin")

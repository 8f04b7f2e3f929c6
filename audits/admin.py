from django.contrib import admin

from core.admin import ReadOnlyAdmin
from core.admin_site import admin_site

from .models import Answer, Audit, AuditProgramme, AuditQuestion, BankQuestion, Evidence, Finding, IndependenceOverride


@admin.register(AuditProgramme, site=admin_site)
class AuditProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["team", "year", "owner"]
    list_select_related = ["team", "owner"]


@admin.register(Audit, site=admin_site)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "audit_type", "team", "status", "planned_start", "lead_auditor"]
    list_filter = ["status", "audit_type"]
    list_select_related = ["team", "lead_auditor"]
    search_fields = ["reference", "title"]


@admin.register(BankQuestion, site=admin_site)
class BankQuestionAdmin(ReadOnlyAdmin):
    list_display = ["team", "clause", "question", "active"]
    list_select_related = ["team"]


@admin.register(AuditQuestion, site=admin_site)
class AuditQuestionAdmin(ReadOnlyAdmin):
    list_display = ["audit", "order", "clause", "source"]
    list_select_related = ["audit"]


@admin.register(Answer, site=admin_site)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["question", "value", "answered_by", "answered_at"]
    list_select_related = ["question", "answered_by"]


@admin.register(Finding, site=admin_site)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["audit", "number", "classification", "clause", "nonconformity"]
    list_filter = ["classification"]
    list_select_related = ["audit", "nonconformity"]


@admin.register(Evidence, site=admin_site)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["audit", "answer", "finding", "attachment", "record_kind", "record_id"]
    list_select_related = ["audit", "attachment"]


@admin.register(IndependenceOverride, site=admin_site)
class IndependenceOverrideAdmin(ReadOnlyAdmin):
    list_display = ["audit", "signed_by", "signed_at"]
    list_select_related = ["audit", "signed_by"]

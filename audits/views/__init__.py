"""Audit pages. Thin: a form checks the shape, a service does the work, errors go next to fields."""

from .bank import bank_create, bank_list, bank_question, bank_question_step
from .pages import (
    audit_create,
    audit_detail,
    audit_edit,
    audit_list,
    audit_step,
    programme_create,
    programme_detail,
    report,
    report_pdf,
)
from .work import (
    answers_save,
    checklist,
    evidence_add,
    finding_create,
    finding_detail,
    finding_list,
    finding_respond,
    finding_response_due,
    question_add,
)

__all__ = [
    "answers_save",
    "audit_create",
    "audit_detail",
    "audit_edit",
    "audit_list",
    "audit_step",
    "bank_create",
    "bank_list",
    "bank_question",
    "bank_question_step",
    "checklist",
    "evidence_add",
    "finding_create",
    "finding_detail",
    "finding_list",
    "finding_respond",
    "finding_response_due",
    "programme_create",
    "programme_detail",
    "question_add",
    "report",
    "report_pdf",
]

"""Every write of the audits app. Other apps' records are changed only through their services
(capa's nonconformity_raise, core's attachments and signatures, post_reviews' sampling)."""

from .audits import (
    audit_cancel,
    audit_close,
    audit_create,
    audit_report,
    audit_report_update,
    audit_start,
    audit_update,
    programme_create,
    programme_update,
)
from .bank import bank_question_create, bank_question_reinstate, bank_question_retire, bank_question_update
from .checklists import (
    answer_record,
    audit_question_add,
    audit_questions_copy_previous,
    audit_questions_from_checklist,
)
from .evidence import evidence_add, record_get_for
from .findings import finding_create, finding_respond, finding_update
from .independence import independence_conflicts, independence_override_sign, uncovered_conflicts
from .sampling import audit_sample_draw

__all__ = [
    "answer_record",
    "audit_cancel",
    "audit_close",
    "audit_create",
    "audit_question_add",
    "audit_questions_copy_previous",
    "audit_questions_from_checklist",
    "audit_report",
    "audit_report_update",
    "audit_sample_draw",
    "audit_start",
    "audit_update",
    "bank_question_create",
    "bank_question_reinstate",
    "bank_question_retire",
    "bank_question_update",
    "evidence_add",
    "finding_create",
    "finding_respond",
    "finding_update",
    "independence_conflicts",
    "independence_override_sign",
    "programme_create",
    "programme_update",
    "record_get_for",
    "uncovered_conflicts",
]

from django.urls import path

from . import views
from .packs.urls import urlpatterns as pack_urlpatterns

app_name = "audits"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("question-bank/", views.bank_list, name="bank"),
    path("question-bank/new/", views.bank_create, name="bank-create"),
    path("question-bank/<int:question_id>/", views.bank_question, name="bank-question"),
    path("question-bank/<int:question_id>/<slug:step>/", views.bank_question_step, name="bank-question-step"),
    path("programmes/new/", views.programme_create, name="programme-create"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="programme"),
    path("programmes/<int:programme_id>/plan/", views.audit_create, name="audit-create"),
    path("<int:audit_id>/", views.audit_detail, name="detail"),
    path("<int:audit_id>/plan/", views.audit_edit, name="edit"),
    path("<int:audit_id>/checklist/", views.checklist, name="checklist"),
    path("<int:audit_id>/checklist/questions/", views.question_add, name="question-add"),
    path("<int:audit_id>/checklist/answers/", views.answers_save, name="answers-save"),
    path("<int:audit_id>/checklist/<int:question_id>/evidence/", views.evidence_add, name="answer-evidence"),
    path("<int:audit_id>/findings/new/", views.finding_create, name="finding-create"),
    path("<int:audit_id>/findings/<int:finding_id>/evidence/", views.evidence_add, name="finding-evidence"),
    path("<int:audit_id>/report/", views.report, name="report"),
    path("<int:audit_id>/report.pdf", views.report_pdf, name="report-pdf"),
    path("<int:audit_id>/steps/<slug:step>/", views.audit_step, name="step"),
    path("findings/", views.finding_list, name="findings"),
    path("findings/<int:finding_id>/", views.finding_detail, name="finding"),
    path("findings/<int:finding_id>/respond/", views.finding_respond, name="finding-respond"),
    path("findings/<int:finding_id>/response-due/", views.finding_response_due, name="finding-response-due"),
    *pack_urlpatterns,
]

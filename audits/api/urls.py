from django.urls import path
from rest_framework.routers import DefaultRouter

from audits.api import packs
from audits.api.bank import BankQuestionViewSet
from audits.api.views import AuditViewSet, FindingViewSet, ProgrammeViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("audit-programmes", ProgrammeViewSet, basename="audit-programme")
router.register("audits", AuditViewSet, basename="audit")
router.register("findings", FindingViewSet, basename="finding")
router.register("question-bank", BankQuestionViewSet, basename="bank-question")

urlpatterns = [
    path("audits/<int:pk>/evidence-pack/", packs.EvidencePackStartView.as_view(), name="api-evidence-pack-start"),
    path("evidence-pack-jobs/<int:pk>/", packs.EvidencePackJobView.as_view(), name="api-evidence-pack-job"),
    path(
        "evidence-pack-jobs/<int:pk>/download/",
        packs.EvidencePackDownloadView.as_view(),
        name="api-evidence-pack-download",
    ),
    path("evidence-packs/verify/", packs.EvidencePackVerifyView.as_view(), name="api-evidence-pack-verify"),
    *router.urls,
]

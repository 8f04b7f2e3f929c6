from rest_framework.routers import DefaultRouter

from audits.api.views import AuditViewSet, FindingViewSet, ProgrammeViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("audit-programmes", ProgrammeViewSet, basename="audit-programme")
router.register("audits", AuditViewSet, basename="audit")
router.register("findings", FindingViewSet, basename="finding")

urlpatterns = router.urls

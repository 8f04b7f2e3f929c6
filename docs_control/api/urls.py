from rest_framework.routers import DefaultRouter

from docs_control.api.views import DocumentVersionViewSet, DocumentViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("documents", DocumentViewSet, basename="document")
router.register("document-versions", DocumentVersionViewSet, basename="document-version")

urlpatterns = router.urls

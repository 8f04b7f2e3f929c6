from rest_framework.routers import DefaultRouter

from capa.api.views import CapaViewSet, NonconformityViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("nonconformities", NonconformityViewSet, basename="nonconformity")
router.register("capas", CapaViewSet, basename="capa")

urlpatterns = router.urls

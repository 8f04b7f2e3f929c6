from rest_framework.routers import DefaultRouter

from metrics.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("metrics", views.MetricsViewSet, basename="metrics")
router.register("objectives", views.ObjectiveViewSet, basename="objective")

urlpatterns = router.urls

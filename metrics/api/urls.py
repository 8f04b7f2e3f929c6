from rest_framework.routers import DefaultRouter

from metrics.api import reviews, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("metrics", views.MetricsViewSet, basename="metrics")
router.register("objectives", views.ObjectiveViewSet, basename="objective")
router.register("management-reviews", reviews.ManagementReviewViewSet, basename="management-review")

urlpatterns = router.urls

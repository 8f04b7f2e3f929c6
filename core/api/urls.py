from rest_framework.routers import DefaultRouter

from core.api.views import AttachmentViewSet, NotificationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from post_reviews.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("social-accounts", views.SocialAccountViewSet, basename="social-account")
router.register("posts", views.PostViewSet, basename="post")
router.register("post-imports", views.ImportRunViewSet, basename="post-import")
router.register("checklists", views.ChecklistViewSet, basename="checklist")
router.register("post-reviews", views.PostReviewViewSet, basename="post-review")
router.register("sampling-lots", views.SamplingLotViewSet, basename="sampling-lot")

urlpatterns = router.urls

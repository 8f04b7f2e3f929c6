from django.urls import path

from . import review_views, views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:chart>.csv", views.chart_csv, name="chart-csv"),
    path("objectives/new/", views.objective_new, name="objective-new"),
    path("objectives/<int:objective_id>/", views.objective_detail, name="objective"),
    path("reviews/", review_views.review_list, name="reviews"),
    path("reviews/new/", review_views.review_new, name="review-new"),
    path("reviews/<int:review_id>/", review_views.review_detail, name="review"),
    path("reviews/<int:review_id>/actions/", review_views.review_action_add, name="review-action-add"),
    path("reviews/actions/<int:action_id>/done/", review_views.review_action_done, name="review-action-done"),
    path("reviews/<int:review_id>/close/", review_views.review_close, name="review-close"),
    path("reviews/<int:review_id>/pdf/", review_views.review_pdf, name="review-pdf"),
]

from django.urls import path

from . import views

app_name = "post_reviews"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("posts/new/", views.post_create, name="post-create"),
    path("posts/<int:post_id>/", views.post_detail, name="post"),
    path("posts/<int:post_id>/review/", views.review_page, name="review"),
    path("posts/<int:post_id>/review/submit/", views.review_submit, name="review-submit"),
    path("import/", views.imports, name="imports"),
    path("import/<int:run_id>/", views.import_detail, name="import"),
    path("import/<int:run_id>/retry/", views.import_retry, name="import-retry"),
    path("import/<int:run_id>/file/", views.import_file, name="import-file"),
    path("accounts/", views.accounts, name="accounts"),
    path("settings/", views.precheck_settings, name="settings"),
    path("checklists/", views.checklists, name="checklists"),
    path("sampling/", views.lots, name="lots"),
    path("sampling/<int:lot_id>/", views.lot_detail, name="lot"),
]

from django.urls import path

from . import views

app_name = "docs_control"

urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.document_create, name="document-create"),
    path("approvals/", views.approvals_inbox, name="approvals"),
    path("training/", views.training_matrix, name="training"),
    path("preview/", views.version_preview, name="preview"),
    path("<int:document_id>/", views.document_detail, name="document"),
    path("<int:document_id>/new-revision/", views.version_new, name="version-new"),
    path("<int:document_id>/review/", views.document_review, name="document-review"),
    path("versions/<int:version_id>/", views.version_detail, name="version"),
    path("versions/<int:version_id>/edit/", views.version_edit, name="version-edit"),
    path("versions/<int:version_id>/submit/", views.version_submit, name="version-submit"),
    path("versions/<int:version_id>/approve/", views.version_approve, name="version-approve"),
    path("versions/<int:version_id>/reject/", views.version_reject, name="version-reject"),
    path(
        "versions/<int:version_id>/make-effective/",
        views.version_make_effective,
        name="version-make-effective",
    ),
    path("versions/<int:version_id>/obsolete/", views.version_obsolete, name="version-obsolete"),
    path("versions/<int:version_id>/acknowledge/", views.version_acknowledge, name="version-acknowledge"),
    path("versions/<int:version_id>/diff/", views.version_diff, name="version-diff"),
    path("versions/<int:version_id>/pdf/", views.version_pdf, name="version-pdf"),
]

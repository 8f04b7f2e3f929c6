from django.urls import path

from . import views

urlpatterns = [
    path("<int:audit_id>/evidence-packs/", views.audit_packs, name="packs"),
    path("<int:audit_id>/evidence-packs/start/", views.audit_pack_start, name="pack_start"),
    path("evidence-packs/<int:job_id>/", views.pack_job, name="pack_job"),
    path("evidence-packs/<int:job_id>/download/", views.pack_download, name="pack_download"),
    path("evidence-packs/verify/", views.pack_verify, name="pack_verify"),
]

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.admin_site import admin_site

handler403 = "core.views.errors.forbidden"
handler404 = "core.views.errors.not_found"
handler500 = "core.views.errors.server_error"

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("core.api.urls")),
    path("", include("docs_control.api.urls")),
    path("", include("capa.api.urls")),
    path("", include("post_reviews.api.urls")),
    path("", include("audits.api.urls")),
    path("", include("metrics.api.urls")),
]

# Swagger UI injects one fixed <style> element; allow exactly that one by its hash (it changes only
# with the drf-spectacular-sidecar version, and the browser test of every page would catch it).
SWAGGER_CSP = {"style-src": ["'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]}

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("documents/", include("docs_control.urls")),
    path("capa/", include("capa.urls")),
    path("reviews/", include("post_reviews.urls")),
    path("audits/", include("audits.urls")),
    path("metrics/", include("metrics.urls")),
    path("admin/", admin_site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        csp_update(SWAGGER_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

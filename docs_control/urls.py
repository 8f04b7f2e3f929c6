app_name = "docs_control"

urlpatterns: list = []

app_name = "capa"

urlpatterns: list = []

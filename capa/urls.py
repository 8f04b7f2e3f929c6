from django.urls import path

from . import views

app_name = "capa"

urlpatterns = [
    path("", views.board, name="board"),
    path("list/", views.capa_list, name="capa-list"),
    path("<int:capa_id>/", views.capa_detail, name="capa-detail"),
    path("<int:capa_id>/items/<int:item_id>/done/", views.item_complete, name="item-complete"),
    path("<int:capa_id>/<slug:step>/", views.capa_step, name="capa-step"),
    path("nonconformities/", views.nc_list, name="nc-list"),
    path("nonconformities/new/", views.nc_raise, name="nc-raise"),
    path("nonconformities/new/similar/", views.nc_similar, name="nc-similar"),
    path("nonconformities/<int:nc_id>/", views.nc_detail, name="nc-detail"),
    path("nonconformities/<int:nc_id>/contain/", views.nc_contain, name="nc-contain"),
    path("nonconformities/<int:nc_id>/no-action/", views.nc_no_action, name="nc-no-action"),
    path("nonconformities/<int:nc_id>/open-capa/", views.nc_open_capa, name="nc-open-capa"),
    path("nonconformities/<int:nc_id>/link-capa/", views.nc_link_capa, name="nc-link-capa"),
]

from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:chart>.csv", views.chart_csv, name="chart-csv"),
    path("objectives/new/", views.objective_new, name="objective-new"),
    path("objectives/<int:objective_id>/", views.objective_detail, name="objective"),
]

from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("silent/", views.silent, name="silent"),
    path("export.xlsx", views.export, name="export"),
    path("outstanding/", views.outstanding, name="outstanding"),
    path("outstanding/pick/", views.pick, name="pick"),
    path("outstanding/picks/<int:pk>/unpick/", views.unpick, name="unpick"),
]

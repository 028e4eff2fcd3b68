from django.urls import path

from . import views

app_name = "originality"

urlpatterns = [
    path("flags/<int:pk>/", views.compare, name="compare"),
    path("flags/<int:pk>/decide/", views.decide, name="decide"),
    path("entries/<int:entry_id>/suspected/", views.suspect, name="suspect"),
    path("campaigns/<slug:slug>/references/", views.references, name="references"),
    path("references/<int:pk>/remove/", views.reference_remove, name="reference_remove"),
    path("tracks/<int:track_id>/ai/", views.policy, name="policy"),
]

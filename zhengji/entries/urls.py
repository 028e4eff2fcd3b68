from django.urls import path

from . import views

app_name = "entries"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("unit/", views.unit_list, name="unit"),
    path("new/", views.choose_track, name="choose_track"),
    path("new/<int:track_id>/", views.new, name="new"),
    path("author-row/", views.author_row, name="author_row"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/receipt.pdf", views.receipt, name="receipt"),
    path("<int:pk>/blind/", views.blind, name="blind"),
]

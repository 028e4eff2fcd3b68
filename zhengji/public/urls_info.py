"""URLs of the public site's information area: share QR codes and picture, winners (namespace
"public", included by urls.py before the track slug pattern)."""

from django.urls import path

from . import views_info

urlpatterns: list = [
    path("qr.svg", views_info.qr_code, name="qr"),
    path("share.png", views_info.share_image, name="share_image"),
    path("c/<slug:slug>/winners/", views_info.winners, name="winners"),
]

from django.apps import AppConfig


class OriginalityConfig(AppConfig):
    name = "zhengji.originality"
    label = "originality"
    default_auto_field = "django.db.models.BigAutoField"

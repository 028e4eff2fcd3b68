from django.apps import AppConfig


class EntriesConfig(AppConfig):
    name = "zhengji.entries"
    label = "entries"
    default_auto_field = "django.db.models.BigAutoField"

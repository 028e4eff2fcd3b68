from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "zhengji.stats"
    label = "stats"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "statistics"

from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "zhengji.stats"
    label = "stats"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "statistics"

    def ready(self) -> None:
        from zhengji.common import registry  # noqa: PLC0415 (kept with the app's other start-up imports)

        from . import audit_sentences, honours, rules, tally  # noqa: F401, PLC0415 (app registry must be ready)
        from .hub import hub_panels  # noqa: PLC0415 (ready(): imports models, loaded only now)

        # After the reporting chain and review have added their steps (INSTALLED_APPS order).
        tally.connect()
        registry.hub.register("stats", hub_panels, order=30)
        audit_sentences.register()
        registry.honour_suggestions.register("stats", honours.suggest)  # review notice: indicators, never votes

from django.apps import AppConfig
from django.conf import settings


class ReportingConfig(AppConfig):
    name = "zhengji.reporting"
    label = "reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import audit_sentences  # noqa: PLC0415 (kept with the app's start-up hooks)

        audit_sentences.register()
        from zhengji.common import registry  # noqa: PLC0415 (kept with the app's other start-up imports)
        from zhengji.entries import workflow  # noqa: PLC0415 (ready(): models are loaded now)

        from . import chain, rules, steps  # noqa: F401, PLC0415 (app registry must be ready)
        from .hub import centre_panels, hub_panels  # noqa: PLC0415 (ready(): imports models, loaded only now)
        from .onbehalf import connect as connect_onbehalf  # noqa: PLC0415 (imports models)
        from .tasks import on_reported_to_host  # noqa: PLC0415 (ready(): imports models, loaded only now)

        steps.register_all()
        chain.connect()
        connect_onbehalf()
        registry.periodic_jobs.add("zhengji.reporting.imports.cleanup",
                                   getattr(settings, "REPORTING_IMPORT_CLEANUP_INTERVAL", 3600))
        registry.hub.register("reporting", hub_panels, order=15)
        workflow.on_applied("report_to_host", on_reported_to_host)
        # Automatic reminders before deadlines (sent once however many schedulers run).
        registry.periodic_jobs.add("zhengji.reporting.reminders.run_due", 15 * 60)
        registry.centre.register("reporting.claim", centre_panels, order=45)

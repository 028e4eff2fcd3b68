from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "zhengji.reporting"
    label = "reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhengji.common import registry  # noqa: PLC0415 (kept with the app's other start-up imports)
        from zhengji.entries import workflow  # noqa: PLC0415 (ready(): models are loaded now)

        from . import chain, rules, steps  # noqa: F401, PLC0415 (app registry must be ready)
        from .hub import hub_panels  # noqa: PLC0415 (ready(): imports models, loaded only now)
        from .tasks import on_reported_to_host  # noqa: PLC0415 (ready(): imports models, loaded only now)

        steps.register_all()
        chain.connect()
        registry.hub.register("reporting", hub_panels, order=15)
        workflow.on_applied("report_to_host", on_reported_to_host)
        # Automatic reminders before deadlines (sent once however many schedulers run).
        registry.periodic_jobs.add("zhengji.reporting.reminders.run_due", 15 * 60)

from django.apps import AppConfig
from django.utils.translation import gettext as _

from zhengji.common import registry


def centre_panels(user) -> list[registry.Panel]:
    """"My entries" in the personal centre (the latest five, links to all and to a new one)."""
    return [registry.Panel("entries", _("My entries"), template="entries/_my_entries.html")]


class EntriesConfig(AppConfig):
    name = "zhengji.entries"
    label = "entries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import audit_sentences  # noqa: PLC0415 (kept with the app's start-up hooks)

        audit_sentences.register()
        from . import notifications, rules, workflow  # noqa: F401, PLC0415 (app registry must be ready)

        workflow.on_applied("submit", lambda entry, event: notifications.entry_submitted(entry))
        workflow.on_applied("resubmit", lambda entry, event: notifications.entry_submitted(entry, resubmitted=True))
        workflow.on_applied("withdraw", lambda entry, event: notifications.entry_withdrawn(entry))
        workflow.on_applied("return", lambda entry, event: notifications.entry_returned(entry, event.reason))
        registry.centre.register("entries.mine", centre_panels, order=50)
        from .hub import hub_panels  # noqa: PLC0415 (imports models, which are not ready at module import)

        registry.hub.register("entries.unit", hub_panels, order=12)
        # Plug-ins into the media file service: the entry form's ingest target, and who else may
        # view an entry's files (see entries.file_targets).
        from zhengji.media import access, targets  # noqa: PLC0415 (apps load before models; ready() is the hook)

        from . import file_targets  # noqa: PLC0415 (imports models, which are not ready at module import)

        targets.register(file_targets.TARGET_NAME, file_targets.resolve_entry_slot, default=True)
        access.register_viewer(file_targets.VIEWER_RULE_NAME, file_targets.unit_admin_sees_entry_file)
        access.register_viewer(file_targets.JUDGE_RULE_NAME, file_targets.judge_sees_entry_file)
        # The form builder's preview of the entry form (campaigns cannot import this app).
        from zhengji.campaigns import builder  # noqa: PLC0415 (kept with the other plug-ins)

        from .preview import render_form_preview  # noqa: PLC0415 (imports views and models)

        builder.register_preview(render_form_preview)

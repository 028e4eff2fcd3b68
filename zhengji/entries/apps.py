from django.apps import AppConfig


class EntriesConfig(AppConfig):
    name = "zhengji.entries"
    label = "entries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Plug-ins into the media file service: the entry form's ingest target, and who else may
        # view an entry's files (see entries.file_targets).
        from zhengji.media import access, targets  # noqa: PLC0415 (apps load before models; ready() is the hook)

        from . import file_targets  # noqa: PLC0415 (imports models, which are not ready at module import)

        targets.register(file_targets.TARGET_NAME, file_targets.resolve_entry_slot, default=True)
        access.register_viewer(file_targets.VIEWER_RULE_NAME, file_targets.unit_admin_sees_entry_file)

from django.apps import AppConfig


class OriginalityConfig(AppConfig):
    name = "zhengji.originality"
    label = "originality"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhengji.common import registry  # noqa: PLC0415 (apps load before models)
        from zhengji.entries.workflow import entry_transitioned  # noqa: PLC0415 (apps load before models)
        from zhengji.fingerprints.signals import fingerprinted  # noqa: PLC0415 (apps load before models)
        from zhengji.media import access  # noqa: PLC0415 (apps load before models)

        from . import audit_sentences, rules, tasks  # noqa: F401, PLC0415 (imports models)
        from .hub import hub_panels  # noqa: PLC0415 (imports models)
        from .queries import staff_sees_compared_file  # noqa: PLC0415 (imports models)

        audit_sentences.register()
        fingerprinted.connect(tasks.on_fingerprinted, dispatch_uid="originality.fingerprinted")
        entry_transitioned.connect(tasks.on_transitioned, dispatch_uid="originality.transitioned")
        # Staff comparing a flagged entry with the matched one see both files' renditions, even
        # when the matched entry lies outside their subtree.
        access.register_viewer("originality.compare", staff_sees_compared_file)
        registry.hub.register("originality", hub_panels, order=35)

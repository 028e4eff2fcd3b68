from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "zhengji.review"
    label = "review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhengji.common import registry  # noqa: PLC0415 (kept with the app's start-up hooks)
        from zhengji.entries import queries as entry_queries  # noqa: PLC0415 (ready(): models are loaded)

        from . import audit_sentences, rules, steps  # noqa: F401, PLC0415 (app registry must be ready)
        from .hub import centre_panels, hub_panels  # noqa: PLC0415 (imports models)
        from .queries import judge_filter  # noqa: PLC0415 (imports models)

        audit_sentences.register()
        steps.register_all()
        # Judges see the entries assigned to them in an open round, without conflicts.
        entry_queries.register_view(entry_queries.View.JUDGE, judge_filter)
        registry.hub.register("review", hub_panels, order=16)
        registry.centre.register("review.judge", centre_panels, order=44)
        # Publicity area: objection evidence uploads (ingest target, who sees them), "My objections".
        from . import hub_publicity, objection_files  # noqa: PLC0415 (imports models)

        objection_files.register()
        registry.centre.register("review.objections", hub_publicity.centre_panels, order=46)
        # Notice area: the entrant's certificates in the personal centre.
        from .views_notice import centre_panels as certificates  # noqa: PLC0415 (notice area: imports models)
        registry.centre.register("review.certificates", certificates, order=45)
        # The award tiers the public site may show once a track's results are public (public_awards.py).
        from .public_awards import awards as public_awards  # noqa: PLC0415 (information area: imports models)
        registry.public_awards.register("review", public_awards)

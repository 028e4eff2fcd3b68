"""Start-up wiring of the gallery area (signals, registries), called from PublicConfig.ready()."""


def connect() -> None:
    return None

"""Start-up wiring of the entry area (signals, registries), called from PublicConfig.ready()."""


def connect() -> None:
    return None

"""Start-up wiring of the information area (signals, registries), called from PublicConfig.ready()."""


def connect() -> None:
    return None

"""Start-up wiring of the votes area (signals, registries), called from PublicConfig.ready()."""


def connect() -> None:
    return None

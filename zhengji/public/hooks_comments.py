"""Start-up wiring of the comments area (signals, registries), called from PublicConfig.ready()."""


def connect() -> None:
    return None

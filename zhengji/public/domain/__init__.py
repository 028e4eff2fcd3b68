"""Domain modules of the public site, one per area."""

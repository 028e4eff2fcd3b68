"""State changes of the public site, one module per area."""

"""The public site's domain functions, one module per area (every state change: lock, permission,
change, audit, cache invalidation)."""

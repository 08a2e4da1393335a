"""HTTP routes under /api, one module per area."""

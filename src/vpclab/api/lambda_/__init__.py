"""Lambda operations (rest-json protocol)."""

"""RDS operations (query protocol)."""

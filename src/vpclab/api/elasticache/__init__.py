"""ElastiCache operations (query protocol)."""

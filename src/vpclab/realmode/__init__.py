"""Real mode: the emulated VPCs materialized as Linux network namespaces carrying real packets."""

"""Tests of the exhaustive analysis: symbolic engine against the concrete tracer."""

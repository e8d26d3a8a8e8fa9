"""Shared fixtures of the tour tests: a quiet lab on a fresh in-process network."""

from __future__ import annotations

import pytest

from vpclab.network import Network
from vpclab.tour.lab import Lab


@pytest.fixture
def lab() -> Lab:
    """A quiet lab on a fresh in-process network, as a user's server would be."""
    network = Network()
    return Lab(
        ec2=network.client(),
        tracer=network.trace,
        say=lambda _line: None,
        service_client=network.client,
    )

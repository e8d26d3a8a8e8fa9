"""Shared fixtures: an in-memory store, the API over it, and boto3 clients talking to it."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.support import client
from vpclab.api.context import Settings
from vpclab.api.dispatch import Api
from vpclab.control.store import Store
from vpclab.model import load_all_kinds
from vpclab.model.state import Clock

settings.register_profile(
    "ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

load_all_kinds()


@pytest.fixture
def clock() -> Clock:
    """Emulated time with instant settling (AMB-1 default); tests advance it by hand."""
    return Clock(settle_seconds=0.0)


@pytest.fixture
def store(clock: Clock) -> Store:
    """A fresh in-memory state."""
    return Store(None, clock=clock)


@pytest.fixture
def api(store: Store) -> Api:
    """The EC2 API over the fresh state."""
    return Api(store, Settings())


@pytest.fixture
def ec2(api: Api) -> Any:
    """A boto3 EC2 client of account 123456789012 in us-east-1, answered in-process."""
    return client(api)


@pytest.fixture
def make_client(api: Api) -> Any:
    """Build more clients (other accounts, regions, services) against the same state."""

    def make(
        service: str = "ec2", region: str = "us-east-1", access_key: str = "AKIDEXAMPLE"
    ) -> Any:
        return client(api, service, region=region, access_key=access_key)

    return make

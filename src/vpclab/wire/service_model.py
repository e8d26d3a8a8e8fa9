"""Access to botocore's service models, loaded once per process."""

from __future__ import annotations

import threading

from botocore.loaders import Loader  # type: ignore[import-untyped,unused-ignore]
from botocore.model import (  # type: ignore[import-untyped,unused-ignore]
    OperationModel,
    OperationNotFoundError,
    ServiceModel,
)

_LOADER = Loader()
_MODELS: dict[str, ServiceModel] = {}
_OPERATION_NAMES: dict[str, frozenset[str]] = {}
_LOCK = threading.Lock()


def service_model(name: str) -> ServiceModel:
    """Return botocore's model of service `name`, parsing its JSON only the first time."""
    model = _MODELS.get(name)
    if model is None:
        with _LOCK:
            model = _MODELS.get(name)
            if model is None:
                data = _LOADER.load_service_model(name, "service-2")
                model = ServiceModel(data, service_name=name)
                _MODELS[name] = model
    return model


def operation_model(service: str, name: str) -> OperationModel | None:
    """Return the model of operation `name` of `service`, or None when it has no such operation."""
    model = service_model(service)
    names = _OPERATION_NAMES.get(service)
    if names is None:
        names = _OPERATION_NAMES[service] = frozenset(model.operation_names)
    if name not in names:  # checked first: never cache attacker-chosen names
        return None
    try:
        op: OperationModel = model.operation_model(name)  # botocore caches it per name
    except OperationNotFoundError:  # pragma: no cover - names come from the model itself
        return None
    return op

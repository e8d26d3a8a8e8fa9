"""Access to botocore's service models, loaded once per process (and cached parsed on disk)."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import threading
from pathlib import Path
from typing import Any

import botocore  # type: ignore[import-untyped,unused-ignore]
import platformdirs
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


def _cache_path(name: str) -> Path:
    """Where the parsed model of a service is kept: one file per botocore installation (and
    extra model directory, which botocore's loader would also read)."""
    extra = os.environ.get("AWS_DATA_PATH", "")
    installation = f"{botocore.__version__}:{botocore.__file__}:{extra}".encode()
    digest = hashlib.sha256(installation).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("vpclab")) / "models" / f"{name}-{digest}.pickle"


def _plain(value: Any) -> Any:
    """The same JSON value with plain dicts (botocore gives OrderedDicts; order is kept)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _load_model_data(name: str) -> dict[str, Any]:
    """botocore's JSON model of a service: from the pickle cache if present (five times faster
    than decompressing and parsing EC2's 5 MB of JSON, a fifth of server start-up), else parsed
    and cached for the next start. Any trouble with the cache falls back to botocore's loader."""
    path = _cache_path(name)
    try:
        with path.open("rb") as cached:
            data = pickle.load(cached)
        if isinstance(data, dict) and "operations" in data:
            return data
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError):
        pass
    parsed: dict[str, Any] = _plain(_LOADER.load_service_model(name, "service-2"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                pickle.dump(parsed, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass  # a read-only home only costs the slower parse
    return parsed


def service_model(name: str) -> ServiceModel:
    """Return botocore's model of service `name`, parsing its JSON only the first time."""
    model = _MODELS.get(name)
    if model is None:
        with _LOCK:
            model = _MODELS.get(name)
            if model is None:
                model = ServiceModel(_load_model_data(name), service_name=name)
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

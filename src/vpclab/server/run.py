"""Start the server: open the state, build the app, print how to reach it, serve on 127.0.0.1."""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import uvicorn

from vpclab.api.context import Settings
from vpclab.api.dispatch import Api
from vpclab.api.registry import load_handlers
from vpclab.control.store import Store
from vpclab.model import load_all_kinds
from vpclab.model.state import Clock
from vpclab.server.app import CONSOLE_PATH, TOKEN_PARAMETER, App
from vpclab.server.auth import CredentialsFileError, Verifier, load_credentials
from vpclab.wire import service_model

log = logging.getLogger("vpclab")


def default_state_path() -> Path:
    """The embedded default state file in the user's data directory."""
    return Path(platformdirs.user_data_dir("vpclab")) / "state.db"


@dataclass
class ServeOptions:
    """Everything `vpclab serve` can be told."""

    host: str = "127.0.0.1"
    port: int = 4566
    state: str | None = None
    in_memory: bool = False
    quotas: str = "off"
    settle_seconds: float = 1.0
    log_level: str = "warning"
    auth: str = "off"
    credentials: str | None = None


def build_app(options: ServeOptions, *, load_all: bool = True) -> App:
    """The application for these options (state opened; handlers registered unless load_all is
    False, when each loads on its first call or from `warm_up`)."""
    load_all_kinds()
    clock = Clock(settle_seconds=options.settle_seconds)
    if options.in_memory:
        store, location = Store(None, clock=clock), ":memory:"
    else:
        path = Path(options.state) if options.state else default_state_path()
        store, location = Store(path, clock=clock), str(path)
    api = Api(store, Settings(quotas=options.quotas), load_all=load_all)
    app = App(api, location, strict_verifier(options))
    app.deferred_routes.append(install_own_routes)
    return app


# vpclab's own routes under /_vpclab/ (state export and snapshot import, console API, console
# pages), each module with an `install(app)`; in this order.
OWN_ROUTE_MODULES = (
    "vpclab.server.state_export",
    "vpclab.server.console_api",
    "vpclab.server.console_static",
)


def install_own_routes(app: App) -> None:
    """Register vpclab's own routes on the app (deferred by `build_app` to the first request
    under /_vpclab/: the console's modules were a quarter of what a server imported at start)."""
    for name in OWN_ROUTE_MODULES:
        importlib.import_module(name).install(app)


def console_url(app: App, endpoint: str) -> str:
    """Where the web console is (with the console token under --auth strict)."""
    token = f"?{TOKEN_PARAMETER}={app.console_token}" if app.console_token else ""
    return f"{endpoint}{CONSOLE_PATH}{token}"


def strict_verifier(options: ServeOptions) -> Verifier | None:
    """The SigV4 verifier `--auth strict` needs (its credentials file is required), else None."""
    if options.auth != "strict":
        return None
    if not options.credentials:
        raise CredentialsFileError("--auth strict needs --credentials FILE")
    return Verifier(load_credentials(options.credentials))


# How long a starting server waits for its first call before loading the other handlers anyway.
WARM_UP_DELAY_SECONDS = 2.0

# Young-generation threshold of the cyclic garbage collector while serving (CPython's default is
# 700 container allocations). A Describe over hundreds of resources builds tens of thousands of
# short-lived dicts and lists that reference counting frees when the response is sent; at 700 the
# collector ran a dozen times during each such call, scanning them and promoting survivors into
# older generations that full collections rescan with everything else loaded (DescribeSecurityGroups
# of 200 groups: 15.5 -> 13.0 ms of server CPU). Cycles still get collected, only less often.
GC_YOUNG_THRESHOLD = 50_000


def tune_garbage_collector() -> None:
    """Collect cyclic garbage rarely while serving (see GC_YOUNG_THRESHOLD)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def freeze_long_lived_objects() -> None:
    """Exempt everything loaded so far (service models, handler modules, the state read at
    start) from the collector's scans: none of it is garbage, yet every full collection
    re-scanned all of it."""
    gc.freeze()


def warm_up(api: Api) -> None:
    """Parse the EC2 model, then import every handler module and the modules of vpclab's own
    routes, off the event loop's thread.

    Started once the socket is bound: the first call (which imports only its own handler
    module) gets the machine to itself, and the other modules load once it has been handled
    (or after WARM_UP_DELAY_SECONDS without a call), so start to first answer stays under 1 s.
    """
    service_model("ec2")
    api.handled_one.wait(WARM_UP_DELAY_SECONDS)
    load_handlers()
    for name in OWN_ROUTE_MODULES:  # imported only: the event loop's thread installs them
        importlib.import_module(name)
    freeze_long_lived_objects()


def serve(options: ServeOptions) -> None:
    """Run the server until interrupted, after printing the endpoint and a usage hint."""
    tune_garbage_collector()
    app = build_app(options, load_all=False)
    sock = socket.socket(socket.AF_INET6 if ":" in options.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it, a response written in two parts (headers,
    # body) waits for the client's delayed ACK, about 40 ms per call on Linux (bench/api.py).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((options.host, options.port))
    sock.listen(2048)  # from here on a client's connect waits in the backlog, never refused
    port = sock.getsockname()[1]
    endpoint = f"http://{options.host}:{port}"
    if options.host not in ("127.0.0.1", "localhost", "::1") and options.auth != "strict":
        print(
            f"WARNING: vpclab is listening on {options.host}, reachable from other machines, "
            "and accepts any credentials.",
            file=sys.stderr,
        )
    print(f"vpclab listening on {endpoint} (state: {app.state_location})", flush=True)
    print(
        f"  boto3: boto3.client('ec2', endpoint_url='{endpoint}', region_name='us-east-1')  |  "
        f"CLI: aws ec2 describe-vpcs --endpoint-url {endpoint}",
        flush=True,
    )
    print(f"  console: {console_url(app, endpoint)}", flush=True)
    config = uvicorn.Config(
        app,
        log_level=options.log_level,
        access_log=False,
        lifespan="on",
        http="httptools",
        loop="auto",  # uvloop (a dependency off Windows): a third less CPU per call than asyncio's
    )
    server = uvicorn.Server(config)
    threading.Thread(target=warm_up, args=(app.api,), name="vpclab-warm-up", daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C after shutdown
        server.run(sockets=[sock])

"""`vpclab up|down|exec|shell|status`: the emulated network as real Linux namespaces."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any


def register(sub: Any) -> None:
    """Add the real-mode subcommands."""
    up = sub.add_parser("up", help="materialize running instances as network namespaces")
    up.add_argument("--endpoint", help="server URL (default: AWS_ENDPOINT_URL or :4566)")
    up.add_argument("--vpc", action="append", metavar="ID", help="only these VPCs (repeatable)")
    up.add_argument("--once", action="store_true", help="apply once and exit")
    up.add_argument("--interval", type=float, default=0.02, help="poll period in seconds")
    up.set_defaults(func=run_up)
    down = sub.add_parser(
        "down", help="remove the namespaces real mode created for this server and partition"
    )
    down.add_argument("--endpoint", help="server URL (default: AWS_ENDPOINT_URL or :4566)")
    down.add_argument(
        "--all",
        action="store_true",
        help="every namespace of this server and partition, also a crashed run's (the default)",
    )
    down.add_argument(
        "--force",
        action="store_true",
        help="every vpclab namespace on this machine, whichever run made it",
    )
    down.set_defaults(func=run_down)
    exec_ = sub.add_parser("exec", help="run a command inside an instance's namespace")
    exec_.add_argument("instance", help="instance id or Name tag")
    exec_.add_argument("--endpoint", help="server URL, to resolve a Name tag")
    exec_.add_argument("command", nargs=argparse.REMAINDER)
    exec_.set_defaults(func=run_exec)
    shell = sub.add_parser("shell", help="open a shell inside an instance's namespace")
    shell.add_argument("instance", help="instance id or Name tag")
    shell.add_argument("--endpoint", help="server URL, to resolve a Name tag")
    shell.set_defaults(func=run_shell, command=[os.environ.get("SHELL", "/bin/sh")])
    status = sub.add_parser("status", help="list this run's vpclab namespaces")
    status.add_argument("--endpoint", help="server URL (default: AWS_ENDPOINT_URL or :4566)")
    status.add_argument("--force", action="store_true", help="every run's namespaces")
    status.set_defaults(func=run_status)


def run_up(args: argparse.Namespace) -> int:
    """Apply the server's state to the kernel, then keep in step until interrupted."""
    from vpclab.realmode.kernel import Applier, RealModeUnavailable, check_available, teardown_all
    from vpclab.realmode.plan import build_plan
    from vpclab.realmode.source import Follower, target_from_environment

    try:
        check_available()
    except RealModeUnavailable as exc:
        print(f"vpclab: {exc}", file=sys.stderr)
        return 2
    target = target_from_environment(args.endpoint)
    vpcs = frozenset(args.vpc) if args.vpc else None
    teardown_all(target.run)  # what a crashed run against this target left behind
    applier = Applier()
    follower = Follower(target)
    try:
        while True:
            try:
                view = follower.poll()
                if view is not None:
                    applier.apply(build_plan(view, target.run, vpcs))
            except OSError as exc:  # the server is down or restarting: keep what is built
                print(f"vpclab up: cannot read {target.endpoint}: {exc}", file=sys.stderr)
                if args.once:
                    return 1
            except RuntimeError as exc:  # the kernel refused a step: rebuild from scratch
                print(f"vpclab up: {exc}; rebuilding", file=sys.stderr)
                applier.teardown()
                applier, follower = Applier(), Follower(target)
                if args.once:
                    return 1
            if args.once:
                print(f"vpclab up: {len(applier.applied_hosts)} namespaces", flush=True)
                return 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        applier.teardown()
        return 0


def run_down(args: argparse.Namespace) -> int:
    """Remove this target's namespaces (after `up --once` or a crash); --force: everyone's."""
    from vpclab.realmode.kernel import RealModeUnavailable, check_available, teardown_all
    from vpclab.realmode.source import target_from_environment

    try:
        check_available()
    except RealModeUnavailable as exc:
        print(f"vpclab: {exc}", file=sys.stderr)
        return 2
    run = None if args.force else target_from_environment(args.endpoint).run
    for name in teardown_all(run):
        print(f"removed {name}")
    return 0


def _resolve_namespace(instance: str, endpoint: str | None) -> str:
    """The namespace of an instance given by id, or by Name tag looked up on the server."""
    from vpclab.model.interface import Instance
    from vpclab.realmode.plan import namespace_name
    from vpclab.realmode.source import fetch_view, target_from_environment

    target = target_from_environment(endpoint)
    if instance.startswith(("i-", "nat-", "eni-")):
        return namespace_name(target.run, instance)
    _, view = fetch_view(target)
    for inst in view.all(Instance):
        if dict(inst.tags).get("Name") == instance:
            return namespace_name(target.run, inst.id)
    raise LookupError(f"no instance named {instance!r}")


def run_exec(args: argparse.Namespace) -> int:
    """Replace this process with the command running in the instance's namespace."""
    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print("vpclab: exec needs a command after --", file=sys.stderr)
        return 2
    try:
        namespace = _resolve_namespace(args.instance, args.endpoint)
    except LookupError as exc:
        print(f"vpclab: {exc}", file=sys.stderr)
        return 2
    os.execvp("ip", ["ip", "netns", "exec", namespace, *command])


def run_shell(args: argparse.Namespace) -> int:
    """An interactive shell in the instance's namespace."""
    return run_exec(args)


def run_status(args: argparse.Namespace) -> int:
    """Print this target's vpclab namespaces present now (--force: every run's)."""
    from vpclab.realmode.kernel import list_namespaces
    from vpclab.realmode.source import target_from_environment

    for name in list_namespaces(None if args.force else target_from_environment(args.endpoint).run):
        print(name)
    return 0

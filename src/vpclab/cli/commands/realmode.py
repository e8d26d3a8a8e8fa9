"""`vpclab up|down|exec|shell|status`: the emulated network as real Linux namespaces."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

HOLDER_HELP = (
    "instance id or Name tag, NAT gateway id, service or Lambda ENI id, or Lambda function name"
)


def add_target_arguments(cmd: Any) -> None:
    """--endpoint, --account and --region: which server and which of its partitions a run
    follows (the namespaces' names carry them, so `down`/`status`/`exec` take the same)."""
    cmd.add_argument("--endpoint", help="server URL (default: AWS_ENDPOINT_URL or :4566)")
    cmd.add_argument(
        "--account",
        help="only this account's VPCs (default: every account the server shows; a --auth "
        "strict server shows signed callers their own account only)",
    )
    cmd.add_argument("--region", help="only this region's VPCs (default: every region)")


def _target(args: argparse.Namespace) -> Any:
    """The run's target from the arguments, reading the server signed with the user's usual
    AWS keys (as `trace --endpoint` does), so a `--auth strict` server answers."""
    from vpclab.cli.sources import signed_reader
    from vpclab.realmode.source import target_from_settings

    return target_from_settings(
        args.endpoint, args.account, args.region, signed_reader(args.region)
    )


def register(sub: Any) -> None:
    """Add the real-mode subcommands."""
    up = sub.add_parser("up", help="materialize running instances as network namespaces")
    add_target_arguments(up)
    up.add_argument("--vpc", action="append", metavar="ID", help="only these VPCs (repeatable)")
    up.add_argument("--once", action="store_true", help="apply once and exit")
    up.add_argument("--interval", type=float, default=0.02, help="poll period in seconds")
    up.set_defaults(func=run_up)
    down = sub.add_parser(
        "down", help="remove the namespaces real mode created for this server and partition"
    )
    add_target_arguments(down)
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
    exec_.add_argument("instance", help=HOLDER_HELP)
    add_target_arguments(exec_)
    exec_.add_argument("command", nargs=argparse.REMAINDER)
    exec_.set_defaults(func=run_exec)
    shell = sub.add_parser("shell", help="open a shell inside an instance's namespace")
    shell.add_argument("instance", help=HOLDER_HELP)
    add_target_arguments(shell)
    shell.set_defaults(func=run_shell, command=[os.environ.get("SHELL", "/bin/sh")])
    status = sub.add_parser("status", help="list this run's vpclab namespaces")
    add_target_arguments(status)
    status.add_argument("--force", action="store_true", help="every run's namespaces")
    status.set_defaults(func=run_status)


def run_up(args: argparse.Namespace) -> int:
    """Apply the server's state to the kernel, then keep in step until interrupted."""
    from vpclab.realmode.kernel import Applier, RealModeUnavailable, check_available, teardown_all
    from vpclab.realmode.plan import build_plan
    from vpclab.realmode.source import Follower

    try:
        check_available()
    except RealModeUnavailable as exc:
        print(f"vpclab: {exc}", file=sys.stderr)
        return 2
    target = _target(args)
    vpcs = frozenset(args.vpc) if args.vpc else None
    teardown_all(target.run)  # what a crashed run against this target left behind
    applier = Applier()
    follower = Follower(target)
    said: object = None
    try:
        while True:
            try:
                world = follower.poll()
                if world is not None:
                    said = _say_partitions(target.endpoint, world, said)
                    applier.apply(build_plan(world, target.run, vpcs))
            except OSError as exc:  # the server is down, restarting or refusing: keep what is built
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


def _say_partitions(endpoint: str, world: Any, said: object) -> object:
    """Tell the user which accounts and regions are brought up (a strict server shows signed
    callers their own account only), and which active peerings lead to a partition not shown
    (left unlinked), whenever that changes; returns what was said."""
    from vpclab.realmode.plan import unshown_peerings

    partitions = sorted(world.partitions)
    unshown = unshown_peerings(world)
    if (partitions, unshown) != said:
        regions: dict[str, list[str]] = {}
        for account, region in partitions:
            regions.setdefault(account, []).append(region)
        listed = "; ".join(
            f"account {account} ({', '.join(names)})" for account, names in regions.items()
        )
        print(f"vpclab up: {endpoint} shows {listed or 'no partitions'}", flush=True)
        if unshown:
            print(
                "vpclab up: peerings to partitions not shown stay unlinked (their routes are "
                f"blackholes here): {', '.join(unshown)}",
                flush=True,
            )
    return (partitions, unshown)


def run_down(args: argparse.Namespace) -> int:
    """Remove this target's namespaces (after `up --once` or a crash); --force: everyone's."""
    from vpclab.realmode.kernel import RealModeUnavailable, check_available, teardown_all

    try:
        check_available()
    except RealModeUnavailable as exc:
        print(f"vpclab: {exc}", file=sys.stderr)
        return 2
    run = None if args.force else _target(args).run
    for name in teardown_all(run):
        print(f"removed {name}")
    return 0


def _resolve_namespace(args: argparse.Namespace) -> str:
    """The namespace of what `exec`/`shell` name: an id (instance, NAT gateway, service or
    Lambda ENI) directly; an instance's Name tag or a Lambda function's name looked up on the
    server (a function runs in its Hyperplane ENI of its first subnet, LAM-1)."""
    from vpclab.control.lambda_functions import hyperplane_eni
    from vpclab.model.interface import Instance
    from vpclab.model.services import LambdaFunction
    from vpclab.realmode.plan import namespace_name
    from vpclab.realmode.source import fetch_world

    name = args.instance
    target = _target(args)
    if name.startswith(("i-", "nat-", "eni-")):
        return namespace_name(target.run, name)
    _, world = fetch_world(target)
    views = [world.view(account, region) for account, region in sorted(world.partitions)]
    for view in views:
        for inst in view.all(Instance):
            if dict(inst.tags).get("Name") == name:
                return namespace_name(target.run, inst.id)
    for view in views:
        function = view.get(LambdaFunction, name)
        if function is not None and function.subnet_ids:
            eni = hyperplane_eni(view, function.subnet_ids[0], function.group_ids)
            if eni is not None:
                return namespace_name(target.run, eni.id)
            raise LookupError(f"Lambda function {name!r} has no VPC network interface yet")
        if function is not None:
            raise LookupError(f"Lambda function {name!r} is not in a VPC: nothing to run in")
    raise LookupError(f"no instance or Lambda function named {name!r}")


def run_exec(args: argparse.Namespace) -> int:
    """Replace this process with the command running in the instance's namespace."""
    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print("vpclab: exec needs a command after --", file=sys.stderr)
        return 2
    try:
        namespace = _resolve_namespace(args)
    except (LookupError, OSError) as exc:
        print(f"vpclab: {exc}", file=sys.stderr)
        return 2
    os.execvp("ip", ["ip", "netns", "exec", namespace, *command])


def run_shell(args: argparse.Namespace) -> int:
    """An interactive shell in the instance's namespace."""
    return run_exec(args)


def run_status(args: argparse.Namespace) -> int:
    """Print this target's vpclab namespaces present now (--force: every run's)."""
    from vpclab.realmode.kernel import list_namespaces

    for name in list_namespaces(None if args.force else _target(args).run):
        print(name)
    return 0

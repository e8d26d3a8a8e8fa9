"""`vpclab tour`: a guided tour of VPC networking that demonstrates each fact with traces."""

from __future__ import annotations

import argparse
import sys
from typing import Any

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"


def register(sub: Any) -> None:
    """Add the tour subcommand."""
    cmd = sub.add_parser("tour", help="a guided, hands-on tour of VPC networking")
    cmd.add_argument(
        "action",
        nargs="?",
        choices=["check"],
        help="check: say whether the exercises are solved (with --chapter N: that one)",
    )
    which = cmd.add_mutually_exclusive_group()
    which.add_argument("--list", action="store_true", help="list the chapters")
    which.add_argument("--chapter", type=int, action="append", metavar="N", help="run chapter N")
    which.add_argument("--all", action="store_true", help="run every chapter (the default)")
    cmd.add_argument("--non-interactive", action="store_true", help="do not pause between chapters")
    where = cmd.add_mutually_exclusive_group()
    where.add_argument(
        "--endpoint",
        metavar="URL",
        help="a running vpclab server (tour default: in-process; check default: "
        f"{DEFAULT_ENDPOINT})",
    )
    where.add_argument("--state", metavar="PATH", help="check: a vpclab state file")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the chosen chapters; exit 0 when every demonstrated fact held, 1 otherwise."""
    from vpclab.tour.runner import (
        chapter_list,
        check_exercises,
        endpoint_lab,
        in_process_lab,
        run_chapters,
        select,
        state_lab,
        summary,
    )

    if args.list:
        print(chapter_list())
        return 0
    try:
        chapters = select(args.chapter)
    except ValueError as exc:
        print(f"vpclab tour: {exc}", file=sys.stderr)
        return 2
    say = _printer()
    if args.action == "check":
        from botocore.exceptions import BotoCoreError

        from vpclab.network import UsageError

        where = args.state or args.endpoint or DEFAULT_ENDPOINT
        try:
            if args.state:
                checked = state_lab(args.state, say)
            else:
                checked = endpoint_lab(where, say)
            return 0 if check_exercises(checked, chapters) else 1
        except (UsageError, OSError, BotoCoreError) as exc:
            print(f"vpclab tour check: cannot read {where}: {exc}", file=sys.stderr)
            return 2
    lab = endpoint_lab(args.endpoint, say) if args.endpoint else in_process_lab(say)
    interactive = not args.non_interactive and sys.stdin.isatty()
    facts = run_chapters(lab, chapters, _pause if interactive else None)
    held, message = summary(facts)
    print()
    print(message)
    return 0 if held else 1


def _printer() -> Any:
    """Print and flush, so progress shows as it happens."""

    from vpclab.tour.runner import fit

    def say(text: str) -> None:
        """Tour output, each of its lines folded to 80 columns (wrapped prose stays as is)."""
        for line in text.splitlines() or [""]:
            print(fit(line), flush=True)

    return say


def _pause() -> None:
    """Wait for Enter between chapters."""
    input("\nPress Enter for the next chapter... ")

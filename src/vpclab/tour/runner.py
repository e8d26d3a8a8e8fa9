"""Running the tour: in-process or against a server, chapter by chapter, with wrapped text."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from vpclab.dataplane.trace import Trace
from vpclab.tour.chapters import CHAPTERS, Chapter
from vpclab.tour.exercises import EXERCISES, check
from vpclab.tour.lab import Fact, Lab

WIDTH = 80


def wrap(text: str) -> str:
    """Prose wrapped to an 80-column terminal."""
    return textwrap.fill(text, width=WIDTH, break_on_hyphens=False)


def fit(line: str) -> str:
    """One output line folded to 80 columns, continuation indented under its start."""
    if len(line) <= WIDTH:
        return line
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    return textwrap.fill(
        line, width=WIDTH, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )


def in_process_lab(say: Callable[[str], None]) -> Lab:
    """A lab on a fresh in-memory network (no server, no sockets)."""
    from vpclab.network import Network

    network = Network()
    return Lab(ec2=network.client(), tracer=network.trace, say=say, service_client=network.client)


def endpoint_lab(endpoint: str, say: Callable[[str], None]) -> Lab:
    """A lab on a running vpclab server: boto3 for the API, its state for traces."""
    import boto3
    from botocore.config import Config

    from vpclab.cli.sources import view_from_endpoint
    from vpclab.model.regions import DEFAULT_ACCOUNT, DEFAULT_REGION
    from vpclab.network import trace_view

    def service_client(service: str) -> Any:
        """A boto3 client of the service on the server's endpoint (the access key is the account)."""
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=DEFAULT_REGION,
            aws_access_key_id=DEFAULT_ACCOUNT,
            aws_secret_access_key="vpclab",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
        )

    def tracer(source: str, destination: str, port: int | None = None, **kw: Any) -> Trace:
        """Trace against the server's current state."""
        view = view_from_endpoint(endpoint, DEFAULT_ACCOUNT, DEFAULT_REGION)
        return trace_view(view, source, destination, port=port, **kw)

    return Lab(ec2=service_client("ec2"), tracer=tracer, say=say, service_client=service_client)


def state_lab(path: str, say: Callable[[str], None]) -> Lab:
    """A lab on a vpclab state file."""
    from vpclab.network import Network

    network = Network.open(path)
    return Lab(ec2=network.client(), tracer=network.trace, say=say, service_client=network.client)


def check_exercises(lab: Lab, chapters: Sequence[Chapter]) -> bool:
    """Say, per chapter, whether its exercise is solved and what is still wrong; all solved?"""
    solved = True
    for chapter in chapters:
        problems = check(lab, EXERCISES[chapter.number - 1])
        if not problems:
            lab.say(f"Exercise {chapter.number} ({chapter.title}): solved")
            continue
        solved = False
        lab.say(f"Exercise {chapter.number} ({chapter.title}): not solved yet")
        for problem in problems:
            lab.say(f"  - {problem}")
    return solved


def chapter_list() -> str:
    """One line per chapter."""
    return "\n".join(f"{c.number}. {c.title}" for c in CHAPTERS)


def select(numbers: Sequence[int] | None) -> tuple[Chapter, ...]:
    """The chapters asked for (all of them when none are named)."""
    if not numbers:
        return CHAPTERS
    known = {c.number: c for c in CHAPTERS}
    missing = [n for n in numbers if n not in known]
    if missing:
        raise ValueError(f"no chapter {missing[0]}; chapters are 1-{len(CHAPTERS)}")
    return tuple(known[n] for n in numbers)


def run_chapters(
    lab: Lab, chapters: Sequence[Chapter], pause: Callable[[], None] | None = None
) -> list[Fact]:
    """Run each chapter's demonstration in turn, showing progress; every fact observed."""
    for index, chapter in enumerate(chapters, start=1):
        lab.chapter = chapter.number
        lab.say("")
        lab.say(f"[{index}/{len(chapters)}] Chapter {chapter.number}: {chapter.title}")
        lab.say("-" * min(WIDTH, 60))
        lab.say(wrap(chapter.lesson))
        lab.say("")
        chapter.demonstrate(lab)
        lab.say("")
        lab.say(wrap(f"Exercise {chapter.number}: {EXERCISES[chapter.number - 1].task}"))
        lab.say(f"  Then run: vpclab tour check --chapter {chapter.number}")
        if pause is not None and index < len(chapters):
            pause()
    return lab.facts


def summary(facts: Sequence[Fact]) -> tuple[bool, str]:
    """Whether every fact held, and a closing message naming any that did not."""
    failed = [f for f in facts if not f.held]
    if not failed:
        return True, f"All {len(facts)} demonstrated facts held."
    lines = [f"{len(failed)} of {len(facts)} demonstrated facts did NOT hold:"]
    lines += [wrap(f"- chapter {f.chapter}: {f.claim} (observed: {f.observed})") for f in failed]
    return False, "\n".join(lines)

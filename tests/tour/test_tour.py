"""The tour runs end to end and every fact it demonstrates holds against the current engine."""

from __future__ import annotations

import pytest

from vpclab.cli.main import main
from vpclab.tour.chapters import CHAPTERS
from vpclab.tour.lab import Fact
from vpclab.tour.runner import WIDTH, in_process_lab, run_chapters, summary


def test_every_demonstrated_fact_holds_in_every_chapter() -> None:
    """Run all chapters and name any fact that no longer holds (the tour cannot rot)."""
    facts = run_chapters(in_process_lab(lambda _line: None), CHAPTERS)
    failed = [f"ch{f.chapter}: {f.claim} ({f.observed})" for f in facts if not f.held]
    assert not failed, failed
    per_chapter = {c.number: [f for f in facts if f.chapter == c.number] for c in CHAPTERS}
    assert all(len(found) >= 2 for found in per_chapter.values()), per_chapter


def test_tour_all_non_interactive_exits_0_with_progress_in_80_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The command a newcomer runs: progress per chapter, every line fits a terminal, and a
    chapter's lesson prints as a paragraph (no hanging indent)."""
    assert main(["tour", "--all", "--non-interactive"]) == 0
    out = capsys.readouterr().out
    assert "[1/8] Chapter 1: VPCs and subnets" in out
    assert "[8/8] Chapter 8: VPC peering" in out
    assert "demonstrated facts held" in out
    lines = out.splitlines()
    assert [line for line in lines if len(line) > WIDTH] == []
    start = lines.index("-" * 60) + 1
    lesson = lines[start : lines.index("", start)]
    assert len(lesson) > 3 and all(line == line.lstrip() for line in lesson), lesson


def test_tour_list_names_the_eight_chapters(capsys: pytest.CaptureFixture[str]) -> None:
    """--list shows the chapter numbers and titles."""
    assert main(["tour", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "1. VPCs and subnets" and lines[-1] == "8. VPC peering"
    assert len(lines) == len(CHAPTERS) == 8


def test_tour_chapter_n_runs_only_that_chapter(capsys: pytest.CaptureFixture[str]) -> None:
    """--chapter 5 runs the NAT chapter alone and shows the NAT's public address."""
    assert main(["tour", "--chapter", "5", "--non-interactive"]) == 0
    out = capsys.readouterr().out
    assert "Chapter 5: Internet gateway and NAT" in out and "Chapter 4" not in out
    assert "seen as" in out


def test_tour_unknown_chapter_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A chapter that does not exist exits 2 with a message."""
    assert main(["tour", "--chapter", "9"]) == 2
    assert "no chapter 9" in capsys.readouterr().err


def test_summary_names_the_fact_that_did_not_hold() -> None:
    """A failed fact makes the tour fail with a message naming it."""
    held, message = summary(
        [Fact(1, "it holds", True, "yes"), Fact(7, "replies need ephemeral ports", False, "no")]
    )
    assert not held
    assert "1 of 2" in message and "replies need ephemeral ports" in message

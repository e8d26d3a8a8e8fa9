"""`vpclab console`: prints the console URL without a browser, opens it when there is one, and
says so when no server answers."""

from __future__ import annotations

import urllib.request
import webbrowser
from collections.abc import Iterator
from typing import Any

import pytest

from tests.hardening.server import start_server, stop_server
from vpclab.cli.main import main


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A running in-memory server."""
    proc, url = start_server("--in-memory")
    try:
        yield url
    finally:
        stop_server(proc)


class FakeBrowser(webbrowser.BaseBrowser):
    """A browser that records what it was asked to open instead of opening it."""

    def __init__(self) -> None:
        super().__init__("fake")
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        """Record the URL."""
        self.opened.append(url)
        return True


def test_console_prints_the_url_without_a_display(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """No DISPLAY/WAYLAND_DISPLAY (CI): no browser is tried, the URL is printed, exit 0."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    fake = FakeBrowser()
    monkeypatch.setattr(webbrowser, "get", lambda *_: fake)
    assert main(["console", "--endpoint", endpoint]) == 0
    url = f"{endpoint}/_vpclab/console"
    assert capsys.readouterr().out.strip() == f"vpclab console: {url}"
    assert fake.opened == []
    with urllib.request.urlopen(url, timeout=10) as page:
        assert page.status == 200 and b"<html" in page.read().lower()


def test_console_opens_a_browser_when_there_is_one(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """With a display and a browser, the URL (with a given token) is opened and reported."""
    monkeypatch.setenv("DISPLAY", ":0")
    fake = FakeBrowser()
    monkeypatch.setattr(webbrowser, "get", lambda *_: fake)
    assert main(["console", "--endpoint", endpoint + "/", "--token", "t0k/en"]) == 0
    url = f"{endpoint}/_vpclab/console?token=t0k%2Fen"
    assert fake.opened == [url]
    assert url in capsys.readouterr().out
    assert main(["console", "--endpoint", endpoint, "--no-browser"]) == 0
    assert fake.opened == [url]


def test_console_with_no_usable_browser_still_prints(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A display but no browser webbrowser can find: not an error, the URL is printed."""
    monkeypatch.setenv("DISPLAY", ":0")

    def none_found(*_: Any) -> webbrowser.BaseBrowser:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", none_found)
    assert main(["console", "--endpoint", endpoint]) == 0
    assert capsys.readouterr().out.strip() == f"vpclab console: {endpoint}/_vpclab/console"


def test_console_without_a_server_says_so(capsys: Any) -> None:
    """Nothing listening at the endpoint: exit 1 with a hint to start `vpclab serve`."""
    assert main(["console", "--endpoint", "http://127.0.0.1:9", "--no-browser"]) == 1
    assert "vpclab serve" in capsys.readouterr().err

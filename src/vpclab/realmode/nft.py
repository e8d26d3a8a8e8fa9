"""nftables rulesets for many namespaces in one go, in this process (libnftables + setns).

Spawning `ip netns exec NS nft -f -` costs tens of milliseconds per namespace; a security-group
change touches every namespace using the group, so per-process updates took about a second.
Here one worker thread enters each namespace in turn (setns on a thread changes only that
thread's network namespace), runs the script through libnftables, and returns home.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

CLONE_NEWNET = 0x40000000
NETNS_DIRECTORY = "/run/netns"


class NftError(RuntimeError):
    """An nft script was refused in a namespace."""


class _Library:
    """The few libnftables and libc calls we need, loaded once."""

    def __init__(self) -> None:
        """Load libnftables and libc, declaring the signatures used."""
        name = ctypes.util.find_library("nftables") or "libnftables.so.1"
        self.nft = ctypes.CDLL(name)
        self.nft.nft_ctx_new.restype = ctypes.c_void_p
        self.nft.nft_ctx_new.argtypes = [ctypes.c_uint32]
        self.nft.nft_ctx_free.argtypes = [ctypes.c_void_p]
        self.nft.nft_ctx_buffer_output.argtypes = [ctypes.c_void_p]
        self.nft.nft_ctx_buffer_error.argtypes = [ctypes.c_void_p]
        self.nft.nft_ctx_get_error_buffer.restype = ctypes.c_char_p
        self.nft.nft_ctx_get_error_buffer.argtypes = [ctypes.c_void_p]
        self.nft.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        self.libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)

    def setns(self, fd: int) -> None:
        """Move the calling thread into the network namespace behind fd."""
        if self.libc.setns(fd, CLONE_NEWNET) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"setns: {os.strerror(errno)}")

    def context(self) -> int:
        """A new nft context; its netlink socket lives in the calling thread's namespace."""
        ctx = int(self.nft.nft_ctx_new(0))
        self.nft.nft_ctx_buffer_output(ctx)
        self.nft.nft_ctx_buffer_error(ctx)
        return ctx

    def run(self, ctx: int, script: str) -> None:
        """Run an nft script through a context, raising nft's error text."""
        if self.nft.nft_run_cmd_from_buffer(ctx, script.encode()) != 0:
            error = self.nft.nft_ctx_get_error_buffer(ctx) or b""
            raise NftError(error.decode(errors="replace").strip())

    def free(self, ctx: int) -> None:
        """Release a context and its socket (slow: about 15 ms, hence contexts are kept)."""
        self.nft.nft_ctx_free(ctx)


_library: _Library | None = None
_library_lock = threading.Lock()
# One thread does every namespace switch, so no other thread ever leaves the host namespace.
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vpclab-nft")
# Namespace -> its nft context, touched only by the worker. Freeing a context costs ~15 ms, so
# each is kept until its namespace goes (an open socket would keep a deleted namespace alive).
_contexts: dict[str, int] = {}


def _loaded() -> _Library | None:
    """libnftables when it can be loaded, else None (then we fall back to the nft command)."""
    global _library
    with _library_lock:
        if _library is None:
            try:
                _library = _Library()
            except OSError:
                return None
        return _library


Sysctls = Mapping[str, Sequence[tuple[str, str]]]


def _write_sysctls(settings: Sequence[tuple[str, str]]) -> None:
    """Set sysctls (dotted names) in the calling thread's namespace; absent ones are skipped.

    Absent means the module is not loaded (bridge-nf-call-* exist only with br_netfilter).
    """
    for key, value in settings:
        try:
            with open("/proc/sys/" + key.replace(".", "/"), "w") as handle:
                handle.write(value)
        except FileNotFoundError:
            continue


def _apply_in_worker(library: _Library, scripts: Mapping[str, str], sysctls: Sysctls) -> None:
    """Enter each namespace, apply its script, and always come back to where we started."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    failures = []
    try:
        for namespace in {**sysctls, **scripts}:
            fd = os.open(os.path.join(NETNS_DIRECTORY, namespace), os.O_RDONLY)
            try:
                library.setns(fd)
                _write_sysctls(sysctls.get(namespace, ()))
                if namespace in scripts:
                    if namespace not in _contexts:
                        _contexts[namespace] = library.context()
                    library.run(_contexts[namespace], scripts[namespace])
            except (NftError, OSError) as exc:
                failures.append(f"{namespace}: {exc}")
            finally:
                os.close(fd)
                library.setns(home)
    finally:
        os.close(home)
    if failures:
        raise NftError("; ".join(failures))


def configure(scripts: Mapping[str, str], sysctls: Sysctls | None = None) -> None:
    """Per namespace: set sysctls, then apply one nft script; all in this process."""
    sysctls = sysctls or {}
    if not scripts and not sysctls:
        return
    library = _loaded()
    if library is None:
        _apply_with_processes(scripts, sysctls)
        return
    _worker.submit(_apply_in_worker, library, dict(scripts), dict(sysctls)).result()


def _free_context(library: _Library, namespace: str) -> None:
    """Close a namespace's context (in the worker, like every use of the contexts)."""
    ctx = _contexts.pop(namespace, None)
    if ctx is not None:
        library.free(ctx)


def forget(namespace: str) -> None:
    """Release what this process holds in a namespace about to be deleted, so it can go."""
    library = _loaded()
    if library is not None:
        _worker.submit(_free_context, library, namespace).result()


def _apply_with_processes(scripts: Mapping[str, str], sysctls: Sysctls) -> None:
    """Fallback without libnftables: `sysctl` and `nft -f -` processes per namespace."""
    for namespace, settings in sysctls.items():
        if settings:
            subprocess.run(
                ["ip", "netns", "exec", namespace, "sysctl", "-qw"]
                + [f"{key}={value}" for key, value in settings],
                capture_output=True,
                check=False,
            )
    running = [
        (
            namespace,
            subprocess.Popen(
                ["ip", "netns", "exec", namespace, "nft", "-f", "-"],
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for namespace in scripts
    ]
    failures = []
    for namespace, proc in running:
        _, err = proc.communicate(scripts[namespace])
        if proc.returncode != 0:
            failures.append(f"{namespace}: {err.strip()}")
    if failures:
        raise NftError("; ".join(failures))

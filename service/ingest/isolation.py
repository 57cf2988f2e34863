"""Run a parse in a child process with a wall-clock and address-space limit.

A hostile file (a decompression bomb, a PDF that sends the parser into a loop) can then cost
one short-lived child process, never the service. Children are forked from a small
forkserver that has already imported the parsers, so a call costs milliseconds, not an
interpreter start-up.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import resource
import signal
import threading
from typing import Any

from service.ingest.document import Document
from service.ingest.errors import IngestError
from service.settings import IngestLimits

_PRELOAD = [
    "service.ingest.isolation",
    "service.ingest.parse",
    "service.ingest.pdf",
    "service.ingest.docx",
    "service.ingest.html",
    "service.ingest.plaintext",
]
_context_lock = threading.Lock()
_context: Any = None


def _get_context() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            methods = multiprocessing.get_all_start_methods()
            if "forkserver" in methods:
                forkserver = multiprocessing.get_context("forkserver")
                forkserver.set_forkserver_preload(_PRELOAD)
                _context = forkserver
            else:  # pragma: no cover - platforms without fork (Windows)
                _context = multiprocessing.get_context("spawn")
        return _context


def _child(
    conn: multiprocessing.connection.Connection,
    data: bytes,
    media_type: str,
    sha256: str,
    limits: IngestLimits,
) -> None:
    """Child process body: cap memory, parse, send back a Document or an IngestError."""
    cap = limits.parse_memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):  # a hard limit already lower stays
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    from service.ingest.parse import parse_document

    result: Document | IngestError
    try:
        result = parse_document(data, media_type, sha256, limits)
    except IngestError as error:
        result = error
    except MemoryError:
        result = _memory_error(limits)
    except RecursionError:
        result = IngestError(
            "corrupt", "The document is nested too deeply to read; save it again and resubmit."
        )
    except Exception:
        # A parser library choked on the file; its message may quote content, so drop it.
        # Libraries report a failed allocation in their own words ("unknown error"), so the
        # peak address space tells a memory failure from a damaged file.
        if _peak_address_space() >= cap * 0.85:
            result = _memory_error(limits)
        else:
            result = IngestError(
                "corrupt",
                "The file is damaged or not a valid document of its type; save it again and "
                "resubmit.",
            )
    try:
        conn.send(result)
    except MemoryError:
        conn.send(_memory_error(limits))
    finally:
        conn.close()


def _peak_address_space() -> int:
    """Peak virtual memory of this process in bytes (0 where /proc is not available)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _memory_error(limits: IngestLimits) -> IngestError:
    return IngestError(
        "memory",
        f"Reading the document needed more than the {limits.parse_memory_mb} MB allowed; it may "
        "be built to exhaust memory. Save it again (e.g. print to PDF) or split it, and resubmit.",
    )


def _timeout_error(limits: IngestLimits) -> IngestError:
    return IngestError(
        "timeout",
        f"Reading the document took longer than {limits.parse_timeout_s:g} s, so it was "
        "stopped. Save it again (e.g. print to PDF) or split it into parts, and resubmit.",
    )


def parse_isolated(data: bytes, media_type: str, sha256: str, limits: IngestLimits) -> Document:
    """``parse_document`` in a child process, bounded in time and memory."""
    ctx = _get_context()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=_child, args=(sender, data, media_type, sha256, limits), daemon=True
    )
    process.start()
    sender.close()
    try:
        if not receiver.poll(limits.parse_timeout_s):
            raise _timeout_error(limits)
        try:
            result = receiver.recv()
        except (EOFError, OSError):
            result = None  # the child died before answering
    finally:
        if process.is_alive() and process.exitcode is None:
            process.join(0.05)
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    if result is None:
        if process.exitcode == -signal.SIGKILL:  # the kernel's answer to running out of memory
            raise _memory_error(limits)
        raise IngestError(
            "corrupt",
            "The parser stopped on this file; it is probably damaged. Save it again and resubmit.",
        )
    if isinstance(result, IngestError):
        raise result
    if not isinstance(result, Document):  # pragma: no cover - defensive
        raise IngestError("corrupt", "The document could not be read.")
    return result

"""Ctrl-C in a job ends it with one line on stderr, wherever it is, and leaves no
file half-written.

Snakemake sends the terminal's SIGINT to every running job.  Python turns it into
a KeyboardInterrupt wherever the job is, often inside ``import numpy``, and prints
a traceback; raised inside an extension's import it may even become an
ImportError.  :func:`install` (called first by every entry point, before its heavy
imports) replaces that by a handler that raises nothing: it removes the temporary
file being written (:func:`atomic`), writes one line and ends the process with
status 130.  The job's outputs are then incomplete and Snakemake removes them.

Python's own start-up (site, ``runpy``, the import of the package) comes before
any line of the job.  Every job's ``python`` is therefore started with SIGINT
*blocked* (:func:`shell_prefix`, a shell function the workflow's shell prefix
defines): a Ctrl-C in that window stays pending, and :func:`install` sets the
handler, then unblocks, so the pending signal reaches it.  Where ``env`` cannot block signals (GNU coreutils
before 8.31, BSD ``env``) the prefix is empty and that window of a few
milliseconds is unguarded.  It imports only what Python's start-up has loaded
already (the rest lazily), to keep that window short.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal

BLOCK_SIGINT = ("env", "--block-signal=INT")

_being_written: set[str] = set()


def install(name: str) -> None:
    line = f"{name}: interrupted; Snakemake removes its incomplete outputs\n".encode()

    def interrupted(_signum, _frame):
        for tmp in list(_being_written):
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        os.write(2, line)  # not print(): the handler may interrupt a print to stderr
        os._exit(130)

    signal.signal(signal.SIGINT, interrupted)
    if hasattr(signal, "pthread_sigmask"):  # a SIGINT held since start-up arrives now
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextlib.contextmanager
def atomic(path: str | os.PathLike):
    """Yield a temporary name beside ``path`` to write, renamed to ``path`` at the end:
    a failure (a full disk) or Ctrl-C leaves neither a partial file nor the temporary
    one."""
    folder, name = os.path.split(os.fspath(path))
    if folder:
        os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{name}.tmp")
    _being_written.add(tmp)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        _being_written.discard(tmp)


@functools.cache
def shell_prefix() -> str:
    """Shell code that makes ``python`` start with SIGINT blocked, where this
    machine's ``env`` can block signals; else ``""``.  A function, not a prefix of
    the command: any shell text (a loop, a pipeline) still runs as written."""
    import subprocess

    try:
        done = subprocess.run([*BLOCK_SIGINT, "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    if done.returncode != 0:
        return ""
    return f'python() {{ {" ".join(BLOCK_SIGINT)} python "$@"; }}; '

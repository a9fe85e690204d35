"""Headless Chromium for the tests, driven over the DevTools protocol on a pipe.

:func:`ensure_chromium` finds Debian's ``chromium`` or, as root, installs it
with apt-get (CI is a fresh Debian machine whose test command is fixed to
``pip install -e '.[test]' && pytest``, so the install happens here).

:class:`Browser` starts Chromium with ``--remote-debugging-pipe``: commands go
to the browser's fd 3, replies and events come back on its fd 4, one JSON
message each, ended by a NUL byte.  No websocket library, no port, nothing but
the standard library; every wait has a deadline.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

PACKAGES = ("chromium", "fonts-liberation")

# Headless as root: no sandbox; nothing that would reach the network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
)


class ChromiumUnavailable(RuntimeError):
    """No chromium and no way to install it (the reason is the message)."""


def ensure_chromium() -> str:
    """The path of ``chromium``; installs it with apt-get when missing and root."""
    exe = shutil.which("chromium")
    if exe:
        return exe
    if os.geteuid() != 0:
        raise ChromiumUnavailable(
            "chromium is not installed and the tests do not run as root, so they cannot "
            "install it: run `apt-get install chromium fonts-liberation` as root"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock = ("-o", "DPkg::Lock::Timeout=600")
    for cmd in (
        ["apt-get", *lock, "update", "-qq"],
        # with Recommends, as on the machines where this was verified (fonts, GL, udev)
        ["apt-get", *lock, "install", "-y", "-qq", *PACKAGES],
    ):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1500)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
            )
    exe = shutil.which("chromium")
    if not exe:
        raise RuntimeError("apt-get installed chromium, but it is not on PATH")
    return exe


class Browser:
    """One headless Chromium with one page; use as a context manager."""

    def __init__(self, exe: str, width: int = 1400, height: int = 900, timeout: float = 60):
        self.exe, self.width, self.height, self.timeout = exe, width, height, timeout
        self.events: list[dict] = []
        self._buffer = b""
        self._next_id = 0

    # ---- process and pipe -------------------------------------------------------
    def __enter__(self) -> Browser:
        self._profile = tempfile.TemporaryDirectory(prefix="gdlab-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # park the child's ends above fd 9 so that placing them on 3 and 4 cannot
        # overwrite one with the other; the copies are close-on-exec
        high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)

        def on_3_and_4():  # runs in the child between fork and exec
            os.dup2(high_r, 3)  # dup2 clears close-on-exec: 3 and 4 survive the exec
            os.dup2(high_w, 4)

        self.log_path = Path(self._profile.name) / "chromium.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [
                self.exe,
                *FLAGS,
                f"--user-data-dir={self._profile.name}/profile",
                f"--window-size={self.width},{self.height}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            close_fds=False,  # keep 3 and 4 (every other fd of ours is close-on-exec)
            preexec_fn=on_3_and_4,
        )
        os.close(high_r)
        os.close(high_w)
        try:
            target = self.call("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
                "sessionId"
            ]
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable", session=True)
            self.call(
                "Emulation.setDeviceMetricsOverride",
                session=True,
                width=self.width,
                height=self.height,
                deviceScaleFactor=1,
                mobile=False,
            )
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            try:
                self._send({"id": self._new_id(), "method": "Browser.close"})
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for fd in (self._to_browser, self._from_browser):
            os.close(fd)
        self._log.close()
        self.log = self.log_path.read_text(errors="replace")
        self._profile.cleanup()

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _send(self, message: dict) -> None:
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._to_browser, data) :]

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from chromium in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"chromium closed the pipe (exit {self.proc.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    # ---- the protocol -------------------------------------------------------------
    def call(self, method: str, session: bool = False, timeout: float | None = None, **params):
        """Send one command and return its result; events that arrive meanwhile are kept."""
        message = {"id": self._new_id(), "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == message["id"]:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        seen = len(self.events)
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method:
                    return event
            seen = len(self.events)
            self.events.append(self._receive(deadline))

    def open(self, url: str) -> None:
        """Navigate and wait for the load event."""
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        self.call("Page.navigate", session=True, url=url)
        self.wait_event("Page.loadEventFired")

    def js(self, expression: str):
        """Evaluate ``expression`` in the page (promises awaited); return its value."""
        result = self.call(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30, what: str = "") -> object:
        """Poll ``expression`` until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what or expression}")
            time.sleep(0.1)

    def frame_js(self, expression: str, default=None):
        """Evaluate ``expression`` in the page's first child frame (an iframe), in a world
        of its own (its DOM, not its scripts' globals); ``default`` without a frame, or
        when the frame went away meanwhile (it was loading a new document)."""
        tree = self.call("Page.getFrameTree", session=True)["frameTree"]
        children = tree.get("childFrames", [])
        if not children:
            return default
        try:
            world = self.call(
                "Page.createIsolatedWorld", session=True, frameId=children[0]["frame"]["id"]
            )["executionContextId"]
            result = self.call(
                "Runtime.evaluate",
                session=True,
                contextId=world,
                expression=expression,
                returnByValue=True,
            )
        except RuntimeError as exc:
            if "Cannot find context" in str(exc) or "No frame" in str(exc):
                return default
            raise
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} threw in the frame: {result['exceptionDetails']}")
        return result["result"].get("value", default)

    def frame_text(self) -> str:
        """The text of the page's first child frame (an iframe), read in its own world."""
        return self.frame_js("document.body ? document.body.innerText : ''", "")

    def offline(self) -> None:
        """Cut the page off the network (DevTools' network emulation): every request to
        a server fails and ``navigator.onLine`` is false, in the page and its frames."""
        self.call(
            "Network.emulateNetworkConditions",
            session=True,
            offline=True,
            latency=0,
            downloadThroughput=0,
            uploadThroughput=0,
        )

    def mouse_move(self, x: float, y: float) -> None:
        """Move the mouse to (x, y), CSS pixels of the page's viewport, as a reader does."""
        self.call("Input.dispatchMouseEvent", session=True, type="mouseMoved", x=x, y=y)

    def requests(self) -> list[str]:
        """The URL of every request the page (or a frame of it) started."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def screenshot(self) -> bytes:
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        return base64.b64decode(data)

    def page_errors(self) -> list[str]:
        """Uncaught exceptions, console.error calls, error log entries, failed loads."""
        errors = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                errors.append(
                    "exception: "
                    + details.get("exception", {}).get("description", details.get("text", ""))
                )
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                args = [a.get("value", a.get("description", "")) for a in params.get("args", [])]
                errors.append(f"console.{params['type']}: {' '.join(map(str, args))}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                errors.append(f"log: {params['entry'].get('text')} ({params['entry'].get('url')})")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                errors.append(f"load failed: {params.get('errorText')}")
        return errors

"""Look at a report as a reader would: headless Chromium driven over the DevTools protocol.

Used by the browser tests (and to take the README screenshot); not needed to render a report.
The protocol runs over a pipe (``--remote-debugging-pipe``: JSON messages separated by NUL
bytes on file descriptors 3 and 4), so nothing but the Python standard library is needed, and
no port is opened.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lazyrich._errors import LazyrichError

_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run",
          "--disable-default-apps", "--disable-extensions", "--mute-audio",
          "--no-default-browser-check", "--remote-debugging-pipe")

# Measured in the page after load: every <math> and <svg> with its rendered size, and whether
# MathML is really laid out as mathematics (a fraction's numerator above its denominator).
_MEASURE = r"""
(() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  const maths = Array.from(document.querySelectorAll("math")).map(box);
  const svgs = Array.from(document.querySelectorAll("svg")).map(box);
  let fraction = null;
  const f = document.querySelector("mfrac");
  if (f && f.children.length === 2) {
    const a = f.children[0].getBoundingClientRect(), b = f.children[1].getBoundingClientRect();
    fraction = {num_bottom: a.bottom, den_top: b.top, num_h: a.height, den_h: b.height};
  }
  return JSON.stringify({maths, svgs, fraction, title: document.title,
                         tex_fallbacks: document.querySelectorAll("code.tex").length});
})()
"""


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable on PATH, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageReport:
    """What a page did when it was opened."""

    url: str
    maths: list = field(default_factory=list)      # [width, height] of every <math>
    svgs: list = field(default_factory=list)       # [width, height] of every <svg>
    fraction: dict | None = None
    title: str = ""
    tex_fallbacks: int = 0
    console_errors: list = field(default_factory=list)
    requests: list = field(default_factory=list)   # every URL the page requested
    screenshot: bytes | None = None
    script_result: object = None                   # the value of ``open(script=...)``


class Browser:
    """A headless Chromium; use as a context manager. ``open(path)`` returns a PageReport."""

    def __init__(self, executable: str | None = None, *, width: int = 1280,
                 height: int = 900, timeout: float = 60.0):
        self.executable = executable or find_chromium()
        if self.executable is None:
            raise LazyrichError("no Chromium on PATH (Debian: apt-get install chromium).")
        self.width, self.height, self.timeout = width, height, timeout
        self._id = 0
        self._buf = b""
        self._events: list[dict] = []

    def __enter__(self) -> "Browser":
        self._profile = tempfile.mkdtemp(prefix="lazyrich-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        args = [self.executable, *_FLAGS, f"--user-data-dir={self._profile}",
                f"--window-size={self.width},{self.height}", "about:blank"]
        cmd = "exec \"$@\" 3<&%d 4>&%d" % (to_chrome_r, from_chrome_w)
        self._proc = subprocess.Popen(["bash", "-c", cmd, "chromium", *args],
                                      pass_fds=(to_chrome_r, from_chrome_w),
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._send("Browser.close", wait=False)
        except OSError:
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    # -- protocol
    def _send(self, method: str, params: dict | None = None, session: str | None = None,
              wait: bool = True) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        if not wait:
            return {}
        want = self._id
        while True:
            m = self._read()
            if m.get("id") == want:
                if "error" in m:
                    raise LazyrichError(f"DevTools {method}: {m['error']}")
                return m.get("result", {})
            self._events.append(m)

    def _read(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise LazyrichError(f"Chromium did not answer within {self.timeout} s.")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise LazyrichError("Chromium closed the DevTools pipe (did it crash?).")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def _wait_event(self, method: str, session: str) -> dict:
        for i, e in enumerate(self._events):
            if e.get("method") == method and e.get("sessionId") == session:
                return self._events.pop(i)
        while True:
            m = self._read()
            if m.get("method") == method and m.get("sessionId") == session:
                return m
            self._events.append(m)

    # -- pages
    def open(self, path: str | os.PathLike, *, screenshot: bool = False,
             full_page: bool = False, script: str | None = None) -> PageReport:
        """Load ``path`` from file://, wait for its load event and a moment of layout, and
        return what it rendered, logged and requested. ``script`` (a JavaScript expression)
        is evaluated last, as a reader's action; its JSON-able value is kept."""
        url = Path(path).resolve().as_uri()
        target = self._send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._send("Target.attachToTarget", {"targetId": target,
                                                       "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self._send(f"{domain}.enable", session=session)
        self._send("Emulation.setDeviceMetricsOverride",
                   {"width": self.width, "height": self.height, "deviceScaleFactor": 1,
                    "mobile": False}, session=session)
        self._events = [e for e in self._events if e.get("sessionId") != session]
        self._send("Page.navigate", {"url": url}, session=session)
        self._wait_event("Page.loadEventFired", session)
        time.sleep(0.3)  # let layout settle (fonts, MathML)
        value = self._send("Runtime.evaluate", {"expression": _MEASURE, "returnByValue": True},
                           session=session)["result"]["value"]
        report = PageReport(url=url, **json.loads(value))
        if screenshot:
            params = {"format": "png"}
            if full_page:
                metrics = self._send("Page.getLayoutMetrics", session=session)
                size = metrics.get("cssContentSize") or metrics["contentSize"]
                params.update(captureBeyondViewport=True,
                              clip={"x": 0, "y": 0, "width": size["width"],
                                    "height": min(size["height"], 8000), "scale": 1})
            shot = self._send("Page.captureScreenshot", params, session=session)
            report.screenshot = base64.b64decode(shot["data"])
        if script is not None:
            report.script_result = self._send(
                "Runtime.evaluate", {"expression": script, "returnByValue": True},
                session=session)["result"].get("value")
        time.sleep(0.1)
        self._send("Runtime.evaluate", {"expression": "1"}, session=session)  # flush events
        for e in self._events:
            if e.get("sessionId") != session:
                continue
            p = e.get("params", {})
            if e["method"] == "Network.requestWillBeSent":
                report.requests.append(p["request"]["url"])
            elif e["method"] == "Runtime.exceptionThrown":
                report.console_errors.append(p["exceptionDetails"].get("text", "exception"))
            elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error",
                                                                                "assert"):
                report.console_errors.append(json.dumps(p.get("args", []))[:300])
            elif e["method"] == "Log.entryAdded" and p["entry"].get("level") == "error":
                report.console_errors.append(p["entry"].get("text", "") + " "
                                             + p["entry"].get("url", ""))
        self._events = [e for e in self._events if e.get("sessionId") != session]
        self._send("Target.closeTarget", {"targetId": target})
        return report

"""The HTML report in a real headless browser (Debian's chromium) at desktop and phone widths.

For each width: a screenshot (a PNG of that width, not blank), and a probe page dumped with
``--dump-dom``: the report in a frame exactly that wide (a headless window is never narrower than
500 px, a frame is) and a script of the test's own that measures the report's scroll width against
the frame, every element sticking out to the right, and the rendered size of every piece of text
(CSS font size times the SVG's scale for chart text); no table may scroll sideways either (on a
phone they become cards). The report itself has no script. Skipped only when
chromium is absent and SPRAWL_REQUIRE_CHROMIUM is not 1 (``.ci/run`` installs it and sets it).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.exports.html import BREAKDOWNS, metrics_html
from secret_sprawl.tracker.metrics import compute_report
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.sla import SlaPolicy
from sqlmodel import Session

from tests.tracker.report_data import plant

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
MIN_FONT_PX = 12.0
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--hide-scrollbars", "--force-device-scale-factor=1", "--mute-audio")
_PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="report" style="display:block;border:0;width:%(width)dpx;height:%(height)dpx" srcdoc="%(page)s">
</iframe><script>
window.addEventListener("load", function () {
  var frame = document.getElementById("report").contentWindow, doc = frame.document;
  var out = {innerWidth: frame.innerWidth, scrollWidth: doc.documentElement.scrollWidth,
             bodyScrollWidth: doc.body.scrollWidth, minFont: 1e9, minFontText: "", texts: 0,
             sticking: []};
  var walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    var node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || el.closest("title, script, style")) continue;
    var size = parseFloat(frame.getComputedStyle(el).fontSize);
    if (el instanceof frame.SVGElement) {
      var m = el.getScreenCTM(); size *= Math.sqrt(m.a * m.a + m.b * m.b);
    }
    out.texts++;
    if (size < out.minFont) { out.minFont = size; out.minFontText = node.textContent.trim().slice(0, 60); }
  }
  doc.querySelectorAll("body *").forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.width && box.right > frame.innerWidth + 0.5 && !el.parentElement.closest(".table-wrap"))
      out.sticking.push(el.tagName + "." + (el.getAttribute("class") || "") + " right=" + box.right);
  });
  doc.querySelectorAll(".table-wrap").forEach(function (wrap) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) out.sticking.push("table scrolls: " + wrap.scrollWidth);
  });
  var pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script></body></html>"""


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    if os.environ.get("SPRAWL_REQUIRE_CHROMIUM") == "1":
        pytest.fail("SPRAWL_REQUIRE_CHROMIUM=1 but chromium is not installed (apt-get install chromium)")
    pytest.skip("Debian's chromium is not installed here (apt-get install chromium); .ci/run installs it")


def run_chromium(tmp_path: Path, width: int, height: int, *args: str) -> str:
    profile = tmp_path / f"profile-{width}-{len(list(tmp_path.iterdir()))}"  # a fresh one every run
    command = [chromium(), *_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    engine = open_database(f"sqlite:///{folder / 'tracker.db'}")
    try:
        now = utcnow()
        plant(engine, now - timedelta(minutes=1))
        with Session(engine) as session:
            metrics = compute_report(session, SlaPolicy(), as_of=now + timedelta(minutes=5),
                                     breakdowns=BREAKDOWNS)
    finally:
        engine.dispose()
    assert metrics.breached and metrics.backlog_weekly and metrics.by_method["sprawl"].count
    page = folder / "report.html"
    page.write_text(metrics_html(metrics, generated_at=now), encoding="utf-8")
    return page


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def png_pixels(path: Path) -> bytes:
    data, position, chunks = path.read_bytes(), 8, []
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind == b"IDAT":
            chunks.append(data[position + 8:position + 8 + length])
        position += 12 + length
    return zlib.decompress(b"".join(chunks))


@pytest.mark.parametrize("device", list(WIDTHS))
def test_report_fits_the_screen_with_readable_text(report, tmp_path, device):
    width, height = WIDTHS[device]
    probe = tmp_path / "probe.html"
    page = html.escape(report.read_text(encoding="utf-8"), quote=True)
    probe.write_text(_PROBE % {"width": width, "height": height, "page": page}, encoding="utf-8")
    dom = run_chromium(tmp_path, width, height, "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, f"the probe did not run: {dom[-500:]}"
    result = json.loads(html.unescape(found.group(1)))
    assert result["innerWidth"] == width
    assert result["texts"] > 100  # it measured the whole report, charts included
    assert result["scrollWidth"] <= width and result["bodyScrollWidth"] <= width, result
    assert result["sticking"] == []
    assert result["minFont"] >= MIN_FONT_PX, f"{result['minFont']:.1f}px: {result['minFontText']!r}"


@pytest.mark.parametrize("device", list(WIDTHS))
def test_report_screenshot(report, tmp_path, device):
    width, height = WIDTHS[device]
    shot = tmp_path / f"report-{device}.png"
    run_chromium(tmp_path, width, height, f"--screenshot={shot}", report.as_uri())
    assert png_size(shot) == (width, height)
    assert len(set(png_pixels(shot))) > 32, "the screenshot is blank"
    keep = os.environ.get("SPRAWL_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)

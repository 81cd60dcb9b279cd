"""Reading the HTML reports back as a browser would: element ids, in-page links, and the layout at a phone's width
in headless Chromium (skipped where Chromium is missing)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class _Ids(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.svg = 0
        self.ids: list[tuple[str, bool]] = []  # (id, inside an inline SVG)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append((a["id"], self.svg > 0 or tag == "svg"))
        if tag == "a" and a.get("href") is not None:
            self.hrefs.append(a["href"])
        if tag == "svg":
            self.svg += 1

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append((a["id"], self.svg > 0))

    def handle_endtag(self, tag):
        if tag == "svg" and self.svg:
            self.svg -= 1


def parse(html: str) -> _Ids:
    p = _Ids()
    p.feed(html)
    return p


def duplicate_ids(html: str, *, svg: bool = False) -> list[str]:
    """Ids used more than once (those inside inline SVG charts only with ``svg``)."""
    counts = Counter(i for i, in_svg in parse(html).ids if svg or not in_svg)
    return sorted(i for i, n in counts.items() if n > 1)


def links(html: str) -> list[str]:
    """The hrefs of the document's links (``<a>``), unescaped."""
    return [unescape(h) for h in parse(html).hrefs]


_PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="%s" style="width:%dpx;height:900px;border:0"></iframe>
<script>
document.getElementById('f').addEventListener('load', () => {
  const f = document.getElementById('f'), d = f.contentDocument, w = f.contentWindow;
  const res = {page: d.documentElement.scrollWidth, width: d.documentElement.clientWidth, boxes: []};
  for (const el of d.querySelectorAll('body *')) {
    const cs = w.getComputedStyle(el);
    if ((cs.overflowX === 'auto' || cs.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1)
      res.boxes.push({tag: el.tagName.toLowerCase(), cls: String(el.className), hint: w.getComputedStyle(el, '::before').content});
  }
  document.body.setAttribute('data-probe', JSON.stringify(res));
});
</script></body></html>"""


def phone_layout(page: Path, width: int = 390) -> dict:
    """Lay ``page`` out ``width`` px wide in headless Chromium: the page's own width (``page`` > ``width`` means
    the whole page scrolls sideways) and each box that scrolls sideways, with the text of its ``::before`` hint."""
    with tempfile.TemporaryDirectory() as tmp:
        probe = page.parent / f".probe-{width}.html"
        probe.write_text(_PROBE % (page.name, width), encoding="utf-8")
        try:
            done = subprocess.run(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp}", "--allow-file-access-from-files",
                 "--hide-scrollbars",
                 "--virtual-time-budget=5000", "--window-size=1000,1000", "--dump-dom", probe.resolve().as_uri()],
                capture_output=True, text=True, timeout=120)
        finally:
            probe.unlink()
    start = done.stdout.index('data-probe="') + len('data-probe="')
    return json.loads(unescape(done.stdout[start:done.stdout.index('"', start)]))

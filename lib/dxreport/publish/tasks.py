"""The analyst's own text for "Nhiệm vụ, giải pháp quý tới", read from a Markdown file.

Only paragraphs and bullet lists are understood, and the result is plain data
(no HTML): the template renders and escapes it like any other text.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path


def parse(text: str) -> list[dict]:
    """Paragraphs → ``{"kind": "p", "text"}``; ``-``/``*``/``1.`` lines → ``{"kind": "ul", "items"}``."""
    blocks: list[dict] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append({"kind": "p", "text": " ".join(paragraph)})
            paragraph.clear()

    for raw in unicodedata.normalize("NFC", text).splitlines():
        line = raw.strip()
        if line.startswith("#"):
            flush()
            blocks.append({"kind": "h", "text": line.lstrip("#").strip()})
            continue
        bullet = None
        if line[:2] in ("- ", "* ", "+ "):
            bullet = line[2:].strip()
        elif line.split(".", 1)[0].isdigit() and ". " in line[:5]:
            bullet = line.split(". ", 1)[1].strip()
        if bullet is not None:
            flush()
            if not blocks or blocks[-1]["kind"] != "ul":
                blocks.append({"kind": "ul", "items": []})
            blocks[-1]["items"].append(bullet)
        elif not line:
            flush()
        elif blocks and blocks[-1]["kind"] == "ul" and raw[:1].isspace():
            blocks[-1]["items"][-1] += " " + line
        else:
            paragraph.append(line)
    flush()
    return blocks


def load(path: Path | None) -> list[dict]:
    if path is None or not Path(path).is_file():
        return []
    return parse(Path(path).read_text(encoding="utf-8"))

"""The analyst's own text of a report, one Markdown file per city and period, a heading per section.

``params/<city>-<period>.text.md`` holds what the office writes itself — the steering
work (I), the causes of what lags (V), next quarter's tasks (VI), the proposals
(VII) — beside the sections the tables fill. Sections are level-1 or level-2
headings that start with their Roman numeral (``## V. Tồn tại, hạn chế và nguyên
nhân``); paragraphs, bullet lists and ``###`` sub-headings are understood, nothing
else, and the result is plain data the templates escape like any other text.

``[[…]]`` marks a placeholder still to be written. A draft shows it highlighted; a
final build (a document number) refuses while one remains or a required section is
empty (:func:`final_problems`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from dxreport.domain import fmt
from dxreport.domain.errors import ConfigError

# The sections of a quarterly report (Nghị định 30 form, as real DX reports are built), in order.
SECTIONS = {
    "I": "Công tác chỉ đạo, điều hành",
    "II": "Kết quả thực hiện",
    "III": "Chỉ số chuyển đổi số của các đơn vị",
    "IV": "Tình hình gửi số liệu",
    "V": "Tồn tại, hạn chế và nguyên nhân",
    "VI": "Nhiệm vụ, giải pháp quý tới",
    "VII": "Đề xuất, kiến nghị",
}
REQUIRED = ("I", "V", "VI", "VII")  # written by the office; the others are the tables'
PLACEHOLDER = re.compile(r"\[\[(.*?)\]\]", re.S)
_HEADING = re.compile(r"^(#{1,2})\s+(?P<key>[IVX]+)\s*[.:–-]\s*(?P<title>.*)$")


def text_file(params_dir: Path, city: str, period: str) -> Path:
    """Where the analyst's text of a city and period lives (beside its parameters file)."""
    return Path(params_dir) / f"{city}-{period}.text.md"


def blocks_of(lines: list[str]) -> list[dict]:
    """Paragraphs → ``{"kind": "p", "text"}``; ``-``/``*``/``1.`` lines → ``{"kind": "ul", "items"}``; ``###`` → ``h``."""
    blocks: list[dict] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append({"kind": "p", "text": " ".join(paragraph)})
            paragraph.clear()

    for raw in lines:
        line = raw.strip()
        if line.startswith("<!--") and line.endswith("-->"):
            continue  # a comment for the analyst, never printed
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


def parse(text: str) -> dict[str, list[dict]]:
    """Section key (``"I"``…``"VII"``, and ``"mo-dau"`` for text before the first section) → blocks."""
    sections: dict[str, list[str]] = {}
    current = "mo-dau"
    for raw in unicodedata.normalize("NFC", text).splitlines():
        m = _HEADING.match(raw.strip())
        if m and m["key"] in SECTIONS:
            current = m["key"]
            sections.setdefault(current, [])
            continue
        sections.setdefault(current, []).append(raw)
    out = {key: blocks_of(lines) for key, lines in sections.items()}
    return {key: blocks for key, blocks in out.items() if blocks or key in SECTIONS}


def load(path: Path | None) -> dict[str, list[dict]]:
    """The parsed file, or no section at all when there is none yet."""
    if path is None or not Path(path).is_file():
        return {}
    return parse(Path(path).read_text(encoding="utf-8"))


def placeholders(blocks: list[dict]) -> list[str]:
    """The ``[[…]]`` placeholders left in a section's blocks, in order."""
    found = []
    for b in blocks:
        for text in ([b["text"]] if "text" in b else b.get("items", [])):
            found += [m.strip() for m in PLACEHOLDER.findall(text)]
    return found


def final_problems(sections: dict[str, list[dict]]) -> list[str]:
    """Why the text cannot go into a final report: placeholders left, required sections empty (Vietnamese)."""
    problems = []
    for key, title in SECTIONS.items():
        blocks = sections.get(key, [])
        if key in REQUIRED and not blocks:
            problems.append(f"mục {key} ({title}) còn trống")
        left = placeholders(blocks)
        if left:
            problems.append(f"mục {key} ({title}) còn {fmt.count(len(left))} chỗ chưa viết: " + "; ".join(f"[[{p}]]" for p in left[:3]))
    stray = placeholders(sections.get("mo-dau", []))
    if stray:
        problems.append("phần mở đầu còn chỗ chưa viết: " + "; ".join(f"[[{p}]]" for p in stray[:3]))
    return problems


def check_final(path: Path, sections: dict[str, list[dict]] | None = None) -> None:
    """Raise a :class:`ConfigError` naming the file and the sections when the text is not ready for a final report."""
    sections = load(path) if sections is None else sections
    if not Path(path).is_file():
        raise ConfigError(path, None, "báo cáo chính thức (có số văn bản) cần phần nội dung do chuyên viên viết; "
                                      "tạo tệp bằng lệnh `dxreport draft-text` rồi hoàn thiện các mục I, V, VI, VII")
    problems = final_problems(sections)
    if problems:
        raise ConfigError(path, None, "chưa thể ban hành báo cáo chính thức: " + "; ".join(problems)
                          + ". Hoàn thiện nội dung hoặc bỏ số văn bản để dựng bản dự thảo")


def with_marks(blocks: list[dict]) -> list[dict]:
    """Blocks with each text split into runs, placeholders flagged, so a draft can highlight them (still plain data)."""
    def runs(text: str) -> list[dict]:
        parts, last = [], 0
        for m in PLACEHOLDER.finditer(text):
            if m.start() > last:
                parts.append({"text": text[last:m.start()], "placeholder": False})
            parts.append({"text": m.group(1).strip(), "placeholder": True})
            last = m.end()
        if last < len(text):
            parts.append({"text": text[last:], "placeholder": False})
        return parts

    out = []
    for b in blocks:
        if "items" in b:
            out.append({"kind": b["kind"], "items": [runs(i) for i in b["items"]]})
        else:
            out.append({"kind": b["kind"], "runs": runs(b["text"])})
    return out


def skeleton(*, title: str, period_label: str, drafts: dict[str, list[str]], sample: bool = False) -> str:
    """The Markdown a new text file starts from: every section, generated facts as drafts, ``[[…]]`` where the office writes."""
    lines = [f"<!-- Nội dung do chuyên viên viết cho báo cáo {title}. Mỗi mục bắt đầu bằng tiêu đề '## <số La Mã>. …'. -->",
             "<!-- [[…]] đánh dấu chỗ chưa viết: báo cáo chính thức (có số văn bản) không dựng được khi còn chỗ này. -->"]
    if sample:
        lines.append("<!-- DỮ LIỆU MẪU: nội dung minh họa, không phải báo cáo thực tế. -->")
    for key, name in SECTIONS.items():
        lines += ["", f"## {key}. {name}", ""]
        lines += drafts.get(key, [])
    return "\n".join(lines).rstrip() + "\n"


def report_sections(text: dict[str, list[dict]], drafts: dict[str, list[str]], file_name: str) -> dict[str, dict]:
    """Each section's title and blocks for a report: the analyst's own text, else the generated draft (``generated``)."""
    out = {}
    for key, name in SECTIONS.items():
        own = text.get(key) or []
        generated = not own and bool(drafts.get(key))
        blocks = own if own else blocks_of(drafts.get(key, []))
        out[key] = {"key": key, "title": f"{key}. {name.upper()}", "name": name, "blocks": with_marks(blocks),
                    "generated": generated, "file": file_name}
    return out

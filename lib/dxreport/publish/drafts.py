"""Generated drafts of the sections the office writes (I, V, VI, VII), as Markdown lines.

``dxreport draft-text`` writes them into the analyst's text file, where the office
keeps, edits or replaces them; a report whose text file lacks a section shows the
same draft, marked as generated. Facts come from the tables the report prints;
what only the office knows is a ``[[…]]`` placeholder, which a final build refuses.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dxreport.compute.status import AT_RISK, BEHIND, MISSED
from dxreport.domain import fmt
from dxreport.domain.periods import Period
from dxreport.publish.narrative import join


def section_drafts(
    *, table: pd.DataFrame, units: pd.DataFrame, period: str | Period, issuing_body: str,
    quality: dict[str, Any] | None = None, next_tasks: list[dict[str, Any]] | None = None,
    proposals: list[dict[str, Any]] | None = None, locality: str = "thành phố",
) -> dict[str, list[str]]:
    """Markdown lines per section key; ``table`` is the reported status table (see ``report.reported_targets``)."""
    p = Period.parse(period)
    label, next_label = fmt.period_label(p), fmt.period_label(p.next)

    def responsible(code: Any) -> str:
        return str(units.loc[code, "name"]) if isinstance(code, str) and code in units.index else str(code)

    lagging = table[(~table["final"].astype(bool) & table["status"].isin([BEHIND, AT_RISK]))
                    | (table["final"].astype(bool) & (table["status"] == MISSED))]
    drafts: dict[str, list[str]] = {}
    drafts["I"] = [
        f"[[Các văn bản chỉ đạo, điều hành về chuyển đổi số ban hành trong {fmt.lower_first(label)}: số, ngày, trích yếu]]",
        "",
        f"[[Hoạt động của Ban Chỉ đạo và của {issuing_body} trong quý: họp, kiểm tra, hướng dẫn, đôn đốc]]",
    ]
    causes = ["Nguyên nhân của các tồn tại, hạn chế nêu trên:", ""]
    causes += [f"- {r.code} – {r.name}: [[nguyên nhân]]" for r in lagging.itertuples()]
    causes += ["- [[Nguyên nhân chung: khách quan, chủ quan]]"]
    drafts["V"] = causes
    tasks = [f"Trong {fmt.lower_first(next_label)}, tập trung các nhiệm vụ, giải pháp sau:", ""]
    running = lagging[~lagging["final"].astype(bool)]
    for r in running.itertuples():
        tasks.append(f"- Đôn đốc {responsible(r.responsible)} đẩy nhanh tiến độ chỉ tiêu {r.code} ({fmt.lower_first(r.name)}), "
                     f"bảo đảm lộ trình đến {fmt.date_short(r.deadline)}.")
    for t in next_tasks or []:
        tasks.append(f"- {t['name']} (chủ trì: {t['lead_name']}; hạn {t['deadline_text']}).")
    missing = (quality or {}).get("missing") or []
    if missing:
        names = join([fmt.unit_in_text(m["name"]) for m in missing])
        tasks.append(f"- Đôn đốc {names} gửi số liệu {fmt.lower_first(label)} còn thiếu.")
    tasks.append("- [[Nhiệm vụ trọng tâm khác của quý tới]]")
    drafts["VI"] = tasks
    asks = []
    for prop in proposals or []:
        asks.append(f"- {prop['text']} ({prop['unit_name']})")
    asks += [f"- [[Đề xuất với Ủy ban nhân dân {locality}]]",
             "- [[Kiến nghị với Bộ Khoa học và Công nghệ, các bộ, ngành trung ương]]"]
    drafts["VII"] = asks
    return drafts

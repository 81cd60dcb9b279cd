"""The programme tasks in the Word files: the same content as ``_tasks*.html.j2`` and ``_unit_tasks.html.j2``."""

from __future__ import annotations

from typing import Any

from dxreport.domain import fmt
from dxreport.publish import docx_out as d


def city_tasks(doc, tasks: dict[str, Any]) -> None:
    """Section II.3: counts by group and status, overdue tasks, tasks completed in the period, funds."""
    doc.add_heading("3. Kết quả thực hiện các nhiệm vụ", level=2)
    d.paragraph(doc, tasks["summary"])
    rows = [[g["name"], *[fmt.number(n) for n in g["counts"]], fmt.number(g["total"])] for g in tasks["by_group"]]
    rows.append(["Tổng cộng", *[fmt.number(s["count"]) for s in tasks["statuses"]], fmt.number(tasks["total"])])
    d.table(doc, ["Nhóm nhiệm vụ", *tasks["status_labels"], "Tổng số"], rows, [39, 19, 19, 19, 19, 17, 17, 16],
            numeric=set(range(1, 8)), size=9.5)
    doc.add_heading("3.1. Nhiệm vụ quá hạn chưa hoàn thành", level=3)
    if tasks["overdue"]:
        d.table(doc, ["Mã", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Số ngày quá hạn", "Tiến độ", "Khó khăn, vướng mắc"],
                [[t["code"], t["name"], t["lead_name"], t["deadline_text"], f"{fmt.number(t['days_overdue'])} ngày",
                  t["percent_text"] if t["reported"] else "chưa báo cáo", t["difficulties"]] for t in tasks["overdue"]],
                [13, 50, 24, 19, 17, 14, 28], numeric={3, 4, 5}, size=9.5)
    else:
        d.paragraph(doc, "Không có nhiệm vụ quá hạn chưa hoàn thành.")
    doc.add_heading(f"3.2. Nhiệm vụ hoàn thành trong {tasks['period_label']}", level=3)
    if tasks["completed"]:
        d.table(doc, ["Mã", "Nhiệm vụ", "Đơn vị chủ trì", "Ngày hoàn thành", "Đánh giá", "Tài liệu kiểm chứng"],
                [[t["code"], t["name"], t["lead_name"], t["completed_text"], t["status"], t["evidence"]] for t in tasks["completed"]],
                [13, 50, 24, 19, 22, 37], numeric={3}, size=9.5)
    else:
        d.paragraph(doc, "Không có nhiệm vụ hoàn thành trong kỳ.")
    if tasks["funds"]:
        doc.add_heading("3.3. Kinh phí thực hiện nhiệm vụ", level=3)
        d.paragraph(doc, tasks["funds_summary"])
        total = tasks["funds_total"]
        rows = [[t["code"], t["name"], t["lead_name"], t["fund_source"], t["allocated_text"], t["disbursed_period_text"],
                 t["disbursed_total_text"], t["rate_text"]] for t in tasks["funds"]]
        rows.append(["", "Tổng cộng", "", "", total["allocated_text"], "", total["disbursed_text"], total["rate_text"]])
        d.table(doc, ["Mã", "Nhiệm vụ", "Đơn vị chủ trì", "Nguồn vốn", f"Được giao ({tasks['money_unit']})",
                      "Giải ngân trong kỳ", "Lũy kế giải ngân", "Tỷ lệ giải ngân"], rows, [12, 42, 22, 20, 19, 17, 17, 16],
                numeric={4, 5, 6, 7}, size=9.5)


def next_tasks(doc, tasks: dict[str, Any]) -> None:
    """Section VI: the plan's tasks due next quarter, before the analyst's text."""
    if not tasks["due_next"]:
        d.paragraph(doc, f"Không có nhiệm vụ của kế hoạch đến hạn trong {tasks['next_period_label']}.")
        return
    d.paragraph(doc, f"Các nhiệm vụ của kế hoạch đến hạn trong {tasks['next_period_label']}, chưa hoàn thành:", keep=True)
    d.table(doc, ["Mã", "Nhiệm vụ, sản phẩm", "Đơn vị chủ trì", "Thời hạn", "Tiến độ đến nay"],
            [[t["code"], (t["name"], f"Sản phẩm: {t['product']}") if t["product"] else t["name"], t["lead_name"],
              t["deadline_text"], t["status"] + (f" ({t['percent_text']})" if t["reported"] else "")] for t in tasks["due_next"]],
            [13, 70, 28, 20, 34], numeric={3}, size=9.5)


def issues(doc, tasks: dict[str, Any]) -> None:
    """Section VII: units' difficulties and proposals on their tasks, before the analyst's text."""
    if not tasks["issues"]:
        return
    d.paragraph(doc, "Khó khăn, vướng mắc và đề xuất, kiến nghị của các đơn vị chủ trì nhiệm vụ:", keep=True)
    d.table(doc, ["Nhiệm vụ", "Đơn vị", "Khó khăn, vướng mắc", "Đề xuất, kiến nghị"],
            [[t["code"], t["lead_name"], t["difficulties"], t["proposals"]] for t in tasks["issues"]], [17, 38, 55, 55], size=9.5)


def unit_tasks(doc, tasks: list[dict[str, Any]], heading: str) -> None:
    """A scorecard's list of the tasks the unit leads."""
    doc.add_heading(heading, level=1)
    rows = []
    for t in tasks:
        progress = t["completed_text"] or (t["percent_text"] if t["reported"] else fmt.MISSING)
        if t["allocated_text"]:
            progress += f"; giải ngân {t['disbursed_total_text']}/{t['allocated_text']} {t['money_unit']} ({t['rate_text']})"
        status = t["status"] + (f" ({fmt.number(t['days_overdue'])} ngày)" if t["days_overdue"] else "")
        notes = "; ".join(x for x in (t["evidence"], t["difficulties"] and f"Khó khăn: {t['difficulties']}",
                                       t["proposals"] and f"Đề xuất: {t['proposals']}") if x)
        rows.append([t["code"], t["name"], t["deadline_text"], status, progress, notes])
    d.table(doc, ["Mã", "Nhiệm vụ", "Thời hạn", "Tình trạng", "Tiến độ", "Tài liệu kiểm chứng, khó khăn"], rows,
            [13, 52, 19, 25, 25, 31], numeric={2}, size=9.5)

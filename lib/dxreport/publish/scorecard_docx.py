"""``report.docx`` of a unit's scorecard: an appendix of the city report, from the same context as its HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dxreport.domain import fmt
from dxreport.publish import docx_out as d


def write_scorecard_docx(ctx: dict[str, Any], images: dict[str, bytes], path: Path) -> Path:
    """``images``: ``trend`` (PNG of the unit's trend chart, may be empty)."""
    doc = d.new_document(draft=ctx["draft"], sample_mark=ctx["sample_mark"])
    d.paragraph(doc, f"Phụ lục {ctx['appendix']}", bold=True, align="right", indent=False)
    d.title(doc, "PHIẾU ĐÁNH GIÁ KẾT QUẢ CHUYỂN ĐỔI SỐ", f"{ctx['unit']['name']} ({ctx['unit']['code']}) – {ctx['period_label']}")
    d.paragraph(doc, f"({ctx['attached_to']})", italic=True, align="center")
    rows = ctx["rows"]
    doc.add_heading("1. Các chỉ tiêu đơn vị tham gia", level=1)
    if rows:
        counts = "; ".join(f"{c['count']} {c['label'].lower()}" for c in ctx["counts"])
        d.paragraph(doc, f"Đơn vị có số liệu đóng góp cho {len(rows)} chỉ tiêu của {ctx['locality']}" + (f": {counts}" if counts else "")
                    + ". Chỉ tiêu còn hạn được đánh giá bằng cách so sánh số liệu của đơn vị với lộ trình kỳ vọng của "
                      f"{ctx['locality']}; chỉ tiêu đã hết hạn được đánh giá theo số liệu của đơn vị tại hạn.")
        table_rows = []
        for r in rows:
            value = (r["value_text"], f"tại hạn: {r['judged_text']} ({r['judged_period_label']})" if r["final"] and r["judged_period_label"] else "")
            table_rows.append([r["code"], r["name"], (r["target_text"], ("hết hạn " if r["final"] else "") + fmt.date_short(r["deadline"])),
                               value, r["change_text"], r["city_text"], r["status_label"]])
        fill = {r["code"]: d.STATUS_FILL.get(r["status"]) for r in rows}
        d.table(doc, ["Mã", "Chỉ tiêu", "Mục tiêu (hạn)", "Đơn vị đạt", "So với quý trước", f"Toàn {ctx['locality']}", "Tình trạng"],
                table_rows, [13, 52, 20, 22, 20, 18, 20], numeric={2, 3, 4, 5}, size=10, shade=lambda cells: fill.get(cells[0]))
        d.figure(doc, images.get("trend"), "Hình 1. Diễn biến các chỉ tiêu của đơn vị qua các quý", width_mm=150)
    else:
        d.paragraph(doc, "Đơn vị không có số liệu đóng góp trực tiếp cho chỉ tiêu nào trong kỳ.")
    if ctx["checks"]:
        d.paragraph(doc, "Số liệu biến động bất thường so với quý trước, đề nghị đơn vị kiểm tra lại:", italic=True, keep=True)
        d.table(doc, ["Chỉ số", "Quý trước", "Quý này", "Thay đổi"],
                [[f"{c['name']} ({c['indicator']})", c["previous"], c["current"], c["change"]] for c in ctx["checks"]],
                [95, 22, 22, 26], numeric={1, 2, 3}, size=10)
    ranking = ctx["ranking"]
    section = 2
    if ranking:
        doc.add_heading("2. Chỉ số chuyển đổi số của đơn vị", level=1)
        section = 3
        if ranking.get("rank") is not None:
            text = (f"Chỉ số của đơn vị: {fmt.index(ranking['value'])}; xếp hạng {fmt.number(ranking['rank'])}/"
                    f"{fmt.number(ranking['of'])} {ranking['audience'].lower()} có chỉ số")
            if ranking.get("rank_change") is not None:
                text += (f" ({ranking['change_symbol']} {ranking['change_label']}"
                         + (f", {ranking['index_change_text']}" if ranking.get("index_change_text") else "")
                         + f" so với {ranking['previous_period_label']}, khi đó xếp hạng {fmt.number(ranking['previous_rank'])})")
            d.paragraph(doc, text + f". Bộ chỉ số: {ranking['framework_name']}.")
            d.table(doc, ["Chỉ số chính", "Điểm tối đa", "Giá trị (0–1)"],
                    [[f"{i['name']} ({i['code']})", fmt.number_auto(i["points"]), fmt.index(i["value"])] for i in ranking["indices"]],
                    [110, 25, 30], numeric={1, 2})
        else:
            d.paragraph(doc, f"Đơn vị chưa có chỉ số kỳ này: {ranking.get('reason') or ''}; đơn vị chưa đủ số liệu không bị "
                             f"tính 0 điểm mà chưa được xếp hạng. Bộ chỉ số: {ranking['framework_name']}.")
    doc.add_heading(f"{section}. Tình hình gửi số liệu", level=1)
    d.table(doc, ["Kỳ báo cáo", "Hạn gửi", "Ngày gửi", "Số lần gửi", "Tình trạng"],
            [[fmt.period_label(s["period"]), fmt.date_short(s["deadline"]),
              fmt.date_short(s["submitted_on"]) + ("*" if s.get("date_source") == "received_at" else ""),
              fmt.number(s["revisions"]), s["state_label"] + (f" {fmt.number(s['days_late'])} ngày" if s.get("days_late") else "")]
             for s in ctx["submissions"]], [35, 28, 28, 24, 50], numeric={1, 2, 3})
    if any(s.get("date_source") == "received_at" for s in ctx["submissions"]):
        d.paragraph(doc, "* Biểu mẫu không ghi ngày gửi; dùng ngày cơ quan nhận tệp.", italic=True, size=11)
    return d.save(doc, path)

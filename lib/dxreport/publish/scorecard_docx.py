"""``report.docx`` of a unit's scorecard: an appendix of the city report, from the same context as its HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dxreport.domain import fmt
from dxreport.publish import docx_out as d
from dxreport.publish import tasks_docx


def write_scorecard_docx(ctx: dict[str, Any], images: dict[str, bytes], path: Path) -> Path:
    """``images``: ``trend`` (PNG of the unit's trend chart, may be empty)."""
    doc = d.new_document(draft=ctx["draft"], sample_mark=ctx["sample_mark"])
    d.paragraph(doc, f"Phụ lục {ctx['appendix']}", bold=True, align="right", indent=False)
    d.title(doc, "PHIẾU ĐÁNH GIÁ KẾT QUẢ CHUYỂN ĐỔI SỐ", f"{ctx['unit']['name']} ({ctx['unit']['code']}) – {ctx['period_label']}")
    d.paragraph(doc, f"({ctx['attached_to']})", italic=True, align="center")
    section = 0
    if ctx.get("actions") or ctx.get("outlook"):
        section += 1
        _actions(doc, ctx, section)
    ranking = ctx["ranking"]
    if ranking:
        section += 1
        _index(doc, ctx, ranking, section)
    rows = ctx["rows"]
    section += 1
    doc.add_heading(f"{section}. Các chỉ tiêu đơn vị tham gia", level=1)
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
    if ctx.get("tasks"):
        section += 1
        tasks_docx.unit_tasks(doc, ctx["tasks"], f"{section}. Nhiệm vụ đơn vị chủ trì")
    section += 1
    doc.add_heading(f"{section}. Tình hình gửi số liệu", level=1)
    d.table(doc, ["Kỳ báo cáo", "Hạn gửi", "Ngày gửi", "Số lần gửi", "Tình trạng"],
            [[fmt.period_label(s["period"]), fmt.date_short(s["deadline"]),
              fmt.date_short(s["submitted_on"]) + ("*" if s.get("date_source") == "received_at" else ""),
              fmt.number(s["revisions"]), s["state_label"] + (f" {fmt.number(s['days_late'])} ngày" if s.get("days_late") else "")]
             for s in ctx["submissions"]], [35, 28, 28, 24, 50], numeric={1, 2, 3})
    if any(s.get("date_source") == "received_at" for s in ctx["submissions"]):
        d.paragraph(doc, "* Biểu mẫu không ghi ngày gửi; dùng ngày cơ quan nhận tệp.", italic=True, size=11)
    return d.save(doc, path)


def _actions(doc, ctx: dict[str, Any], section: int) -> None:
    """What to do next quarter: the outlook, then each action with its gain (as the HTML's first section)."""
    doc.add_heading(f"{section}. Việc cần làm trong {ctx['next_period_label']}", level=1)
    for line in ctx["outlook"]:
        d.paragraph(doc, line)
    if not ctx["actions"]:
        d.paragraph(doc, "Kỳ này đơn vị không có chỉ tiêu chậm tiến độ, mục có/chưa cần khắc phục hay báo cáo chậm.")
        return
    d.paragraph(doc, "Các việc dưới đây xếp theo điểm chỉ số tăng thêm nếu làm được từng việc (các đơn vị khác giữ nguyên kết "
                     "quả kỳ này); trung vị là giá trị ở giữa của các đơn vị cùng nhóm xếp hạng.", italic=True, keep=True)
    d.table(doc, ["TT", "Việc cần làm", "Hiện nay", "Cần đạt", "Trung vị nhóm", "Điểm tăng", "Nếu làm được"],
            [[str(a["n"]), (a["action"], f"{a['kind_label']} ({a['item']})"), a["current"], a["needed"], a["peer"],
              a["gain"] or fmt.MISSING, a["if_fixed"] or fmt.MISSING] for a in ctx["actions"]],
            [9, 62, 18, 22, 17, 16, 22], numeric={0, 2, 3, 4, 5, 6}, size=9.5)


def _index(doc, ctx: dict[str, Any], ranking: dict[str, Any], section: int) -> None:
    """The unit's index: points, band and rank (or value and rank), self-assessed and verified points per group."""
    doc.add_heading(f"{section}. Chỉ số chuyển đổi số của đơn vị", level=1)
    if ranking.get("rank") is None:
        d.paragraph(doc, f"Đơn vị chưa có chỉ số kỳ này: {ranking.get('reason') or ''}; đơn vị chưa đủ số liệu không bị "
                         f"tính 0 điểm mà chưa được xếp hạng. Bộ chỉ số: {ranking['framework_name']}.")
        return
    in_points = ranking.get("report_as") == "points"
    if in_points:
        text = (f"Tổng điểm của đơn vị (sau thẩm định): {fmt.number(ranking['points'], ranking['decimals'])}/"
                f"{fmt.number_auto(ranking['total_points'])} điểm" + (f", xếp loại {ranking['band'].lower()}" if ranking.get("band") else ""))
    else:
        text = f"Chỉ số của đơn vị: {fmt.index(ranking['value'])}"
    text += f"; xếp hạng {fmt.number(ranking['rank'])}/{fmt.number(ranking['of'])} {ranking['audience'].lower()} có chỉ số"
    if ranking.get("rank_change") is not None:
        text += (f" ({ranking['change_symbol']} {ranking['change_label']}"
                 + (f", {ranking['index_change_text']}" if ranking.get("index_change_text") else "")
                 + f" so với {ranking['previous_period_label']}, khi đó xếp hạng {fmt.number(ranking['previous_rank'])})")
    sample = " (điểm mẫu: quyết định chưa công bố điểm từng nhóm)" if ranking.get("sample_points") else ""
    d.paragraph(doc, text + f". Bộ chỉ số: {ranking['framework_name']}{sample}.")
    v = ctx.get("verification")
    if v:
        rows = [[f"{r['name']} ({r['code']})", r["possible"], r["self"], r["verified"], r["gap"]] for r in v["rows"]]
        if v.get("totals"):
            rows.append(["Tổng điểm", fmt.number_auto(ranking["total_points"]), v["totals"]["self"], v["totals"]["verified"],
                         v["totals"]["gap"]])
        d.table(doc, ["Nhóm tiêu chí", "Điểm tối đa", "Tự đánh giá", "Thẩm định", "Chênh lệch"], rows, [80, 22, 24, 24, 22],
                numeric={1, 2, 3, 4}, size=10)
        d.paragraph(doc, "Xếp hạng theo điểm thẩm định. Tiêu chí lấy từ biểu báo cáo quý có cùng điểm ở hai cột; tiêu chí bắt buộc "
                         "có tài liệu kiểm chứng mà thiếu tài liệu được 0 điểm khi thẩm định.", italic=True, size=10, indent=False)
        if ctx.get("gaps"):
            d.paragraph(doc, "Các tiêu chí tự đánh giá và thẩm định khác nhau nhiều nhất (việc cần khắc phục trước):", italic=True, keep=True)
            d.table(doc, ["Tiêu chí", "Tự đánh giá", "Thẩm định", "Chênh lệch (điểm)", "Lý do"],
                    [[(f"{g['code']}. {g['name']}", g["group"]), g["self"], g["verified"], g["gap"], g["reason"]] for g in ctx["gaps"]],
                    [62, 28, 28, 20, 34], numeric={1, 2, 3}, size=9.5)
    elif ranking.get("indices"):
        d.table(doc, ["Chỉ số chính", "Điểm tối đa", "Giá trị (0–1)"],
                [[f"{i['name']} ({i['code']})", fmt.number_auto(i["points"]), fmt.index(i["value"])] for i in ranking["indices"]],
                [110, 25, 30], numeric={1, 2})

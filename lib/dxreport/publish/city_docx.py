"""``report.docx`` of the city report: the sections, tables and figures of ``city_quarterly.html.j2``, from its context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dxreport.domain import fmt
from dxreport.publish import docx_out as d
from dxreport.publish import tasks_docx

STATUS_HEADER = ["Mã", "Chỉ tiêu", "Mục tiêu (hạn)", "Kết quả", "So với quý trước", "Kỳ vọng theo lộ trình", "Tình trạng"]
STATUS_WIDTHS = [13, 55, 20, 20, 20, 17, 20]
PATHS_NOTE = ("Diễn biến từng chỉ tiêu theo quý so với lộ trình: đường gạch nối giá trị cơ sở với mục tiêu tại hạn hoàn thành "
              "(giá trị kỳ vọng mỗi quý nằm trên đường này); đường chấm ngang là mục tiêu; kết quả từng quý mang màu và ký hiệu "
              "của tình trạng; đường chấm mảnh là dự báo đến hạn.")  # as city_quarterly.html.j2
BULLETS_NOTE = "thanh: kết quả, vạch đen: kỳ vọng, vạch dọc 100%: mục tiêu"


def _fill(rows: list[dict[str, Any]]):
    """The status cell's colour, as the HTML's status chip (the text says it too, so grey print loses nothing)."""
    by_code = {r["code"]: d.STATUS_FILL.get(r["status"]) for r in rows}
    return lambda cells: by_code.get(cells[0])


def _status_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    out = []
    for r in rows:
        note = f"Cơ quan chủ trì: {r['responsible_name']}; căn cứ: {r['source']}"
        if r.get("replaces"):
            note += "\n" + r["replaces"]
        out.append([r["code"], (r["name"], note), (r["target_text"], fmt.date_short(r["deadline"])), r["actual_text"],
                    r["change_text"], r["expected_text"], r["status_label"]])
    return out


def _expired_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r["code"], (r["name"], f"{r['group_name']}; cơ quan chủ trì: {r['responsible_name']}"),
             (r["target_text"], f"hết hạn {fmt.date_short(r['deadline'])}"), (r["judged_text"], r["judged_period_label"]),
             r["actual_text"], r["status_label"]] for r in rows]


class _Figures:
    """The figures of the document as ``city_quarterly.html.j2`` numbers and captions them: one counter, in order."""

    def __init__(self, doc, images: dict[str, bytes]) -> None:
        self.doc, self.images, self.n = doc, images, 1

    def add(self, chart: dict[str, Any] | None, period_label: str, note: str = "") -> None:
        """``chart``: a chart's plain data (key, title, alt); its PNG is ``images[key]``."""
        if not chart or not self.images.get(chart["key"]):
            return
        caption = f"Hình {self.n}. {chart['title']}, {period_label}" + (f" ({note})" if note else "") + "."
        d.figure(self.doc, self.images[chart["key"]], caption, alt=chart["alt"])
        self.n += 1


def _ranking(doc, ranking: dict[str, Any], fig: _Figures) -> None:
    for n, a in enumerate(ranking["audiences"], start=1):
        doc.add_heading(f"{n}. {a['audience_label']}", level=2)
        d.paragraph(doc, a["summary"])
        if a.get("report_as") == "points":
            _points_table(doc, a, ranking)
        else:
            header = ["Hạng", "Đơn vị"] + [i["code"] for i in a["indices"]] + [a["total_code"], f"Hạng {ranking['previous_period_label']}", "Thay đổi"]
            rows = []
            for r in a["rows"]:
                change = f"{r['change_symbol']} {r['change_label']}"
                rows.append([fmt.number(r["rank"]), (r["name"], f"Chưa có chỉ số: {r['reason']}" if r["reason"] else "")]
                            + [fmt.index(v) for v in r["indices"]] + [fmt.index(r["total"]), fmt.number(r["previous_rank"]),
                                                                      (change, r.get("index_change_text") or "")])
            k = len(a["indices"])
            widths = [11, 45] + [max(10, 60 / max(k, 1))] * k + [16, 14, 24]
            d.table(doc, header, rows, widths, numeric={0, *range(2, 3 + k), 3 + k}, size=9.5)
        for key in ("dots", "moves"):
            note = (f"chấm đặc: kỳ này; chấm rỗng: {ranking['previous_period_label']}; trục không bắt đầu từ 0"
                    if key == "dots" else "")
            fig.add(a["charts"].get(key), ranking["period_label"], note)


def _points_table(doc, a: dict[str, Any], ranking: dict[str, Any]) -> None:
    """A framework published in points: points per main index, bonus and penalty, self-assessed and verified totals, band."""
    dec = a["decimals"]
    header = ["Hạng", "Đơn vị"] + [f"{i['code']} ({fmt.number_auto(i['points'])})" for i in a["indices"]]
    header += (["Thưởng, trừ"] if a["has_adjustments"] else []) + (["Tự đánh giá"] if a["has_assessment"] else [])
    header += ["Tổng điểm", "Xếp loại", f"Hạng {ranking['previous_period_label']}", "Thay đổi"]
    rows = []
    for r in a["rows"]:
        cells = [fmt.number(r["rank"]), (r["name"], f"Chưa có điểm: {r['reason']}" if r["reason"] else "")]
        cells += [fmt.number(v, 2) for v in r["index_points"]]
        if a["has_adjustments"]:
            cells.append(fmt.signed(r["adjustment_points"], 2) if r["adjustment_points"] is not None else fmt.MISSING)
        if a["has_assessment"]:
            cells.append(fmt.number(r["self_points"], dec) if r["points"] is not None else fmt.MISSING)
        cells += [fmt.number(r["points"], dec), r["band"] or fmt.MISSING, fmt.number(r["previous_rank"]),
                  (f"{r['change_symbol']} {r['change_label']}", r.get("index_change_text") or "")]
        rows.append(cells)
    k = len(a["indices"]) + a["has_adjustments"] + a["has_assessment"]
    widths = [8, 26] + [77 / max(k, 1)] * k + [12, 13, 9, 20]  # 165 mm of text width
    d.table(doc, header, rows, widths, numeric={0, *range(2, 3 + k), 4 + k}, size=8.5)
    legend = "; ".join(f"{i['code']}: {i['name'].lower()}" for i in a["indices"])
    if a.get("bands"):
        legend += ". Xếp loại: " + "; ".join(f"{b['name'].lower()} từ {fmt.number_auto(b['at_least'])} điểm" for b in reversed(a["bands"]))
    if a.get("sample_points"):
        legend += ". Điểm từng nhóm và ngưỡng xếp loại là điểm mẫu: quyết định chưa công bố"
    if a.get("has_assessment"):
        legend += ". Tổng điểm là điểm sau thẩm định, dùng để xếp hạng"
    d.paragraph(doc, legend + ".", italic=True, size=10, indent=False)


def _quality(doc, q: dict[str, Any]) -> None:
    d.paragraph(doc, q["summary"])
    c = q["counts"]
    rows = [
        ["Đơn vị phải báo cáo", fmt.number(c["expected"]), ""],
        ["Đơn vị đã gửi số liệu", fmt.number(c["submitted"]), fmt.percent(c["submitted_share"])],
        ["Đơn vị chưa gửi số liệu", fmt.number(c["missing"]), ""],
        [f"Đơn vị gửi đúng hạn (hạn gửi {fmt.date_short(c['deadline'])})", fmt.number(c["on_time"]), ""],
        ["Đơn vị gửi muộn", fmt.number(c["late"]), ""],
        ["Đơn vị gửi thiếu chỉ số", fmt.number(c["incomplete"]), ""],
        [f"Số liệu biến động bất thường so với {q['previous_period_label']}", fmt.number(c["jumps"]), ""],
    ]
    d.table(doc, ["Nội dung", "Số lượng", "Tỷ lệ"], rows, [110, 27, 28], numeric={1, 2})
    if q["missing"]:
        d.paragraph(doc, f"Đơn vị chưa gửi số liệu {q['period_label']}:", italic=True, keep=True)
        d.bullets(doc, [f"{m['name']} ({m['kind_label'].lower()})" for m in q["missing"]])
    if q["late"]:
        d.paragraph(doc, "Đơn vị gửi muộn:", italic=True, keep=True)
        d.table(doc, ["Đơn vị", "Hạn gửi", "Ngày gửi", "Số ngày muộn", "Số lần gửi"],
                [[u["name"], fmt.date_short(u["deadline"]), fmt.date_short(u["submitted_on"]), fmt.number(u["days_late"]),
                  fmt.number(u["revisions"])] for u in q["late"]], [65, 25, 25, 25, 25], numeric={1, 2, 3, 4})
    if q["jumps"]:
        d.paragraph(doc, f"Số liệu biến động bất thường so với {q['previous_period_label']}, đề nghị đơn vị kiểm tra lại "
                         f"({q['jump_rule_text']}):", italic=True, keep=True)
        rows = []
        for j in q["jumps"]:
            if j["kind"] == "yesno":
                before, now, change = fmt.yes_no(j["previous"]), fmt.yes_no(j["current"]), f"{fmt.yes_no(j['previous'])} → {fmt.yes_no(j['current'])}"
            elif j["unit_of_measure"] == "%":
                before, now, change = fmt.percent(j["previous"]), fmt.percent(j["current"]), fmt.points(j["change"])
            else:
                before, now, change = fmt.number_auto(j["previous"]), fmt.number_auto(j["current"]), fmt.signed(j["change"], 2)
            rows.append([j["name"], j["indicator_name"], before, now, change])
        d.table(doc, ["Đơn vị", "Chỉ số", q["previous_period_label"], q["period_label"], "Thay đổi"], rows,
                [38, 62, 20, 20, 25], numeric={2, 3, 4}, size=10)


def write_city_docx(ctx: dict[str, Any], images: dict[str, bytes], path: Path) -> Path:
    """``images``: PNG of the charts by chart key (``ctx["charts"]`` and the ranking's, as in the HTML)."""
    doc = d.new_document(draft=ctx["draft"], sample_mark=ctx["sample_mark"])
    fig, charts, period = _Figures(doc, images), ctx["charts"], ctx["period_label"]
    d.header_block(doc, ctx, "BC")
    d.title(doc, "BÁO CÁO", ctx["title"])
    d.blocks(doc, ctx["opening"])
    s = ctx["sections"]

    doc.add_heading(s["I"]["title"], level=1)
    d.blocks(doc, s["I"]["blocks"])

    doc.add_heading(s["II"]["title"], level=1)
    doc.add_heading("1. Kết quả chung", level=2)
    for sentence in ctx["summary"]:
        d.paragraph(doc, sentence)
    fig.add(charts.get("status_by_pillar"), period)
    if charts.get("paths"):
        d.paragraph(doc, PATHS_NOTE)
        for group in ctx["groups"]:
            fig.add(charts["paths"].get(group["code"]), period)
    doc.add_heading("2. Kết quả thực hiện các chỉ tiêu", level=2)
    d.paragraph(doc, "Tình trạng mỗi chỉ tiêu: " + "; ".join(x["label"] for x in ctx["status_legend"]) + ".")
    sub = 0
    if ctx["running_count"]:
        sub += 1
        doc.add_heading(f"2.{sub}. Các chỉ tiêu đang thực hiện", level=3)
        for n, group in enumerate([g for g in ctx["groups"] if g["rows"]], start=1):
            doc.add_heading(f"2.{sub}.{n}. {group['name']}", level=4)
            fig.add(charts.get("bullets", {}).get(group["code"]), period, BULLETS_NOTE)
            header = STATUS_HEADER[:3] + [f"Kết quả {ctx['period_label']}"] + STATUS_HEADER[4:]
            d.table(doc, header, _status_rows(group["rows"]), STATUS_WIDTHS, numeric={2, 3, 4, 5}, size=10,
                    shade=_fill(group["rows"]))
    if ctx["expired_rows"]:
        sub += 1
        doc.add_heading(f"2.{sub}. Kết quả các chỉ tiêu đã hết hạn", level=3)
        d.table(doc, ["Mã", "Chỉ tiêu", "Mục tiêu (hạn)", "Kết quả tại hạn", f"Kết quả {ctx['period_label']}", "Đánh giá"],
                _expired_rows(ctx["expired_rows"]), [13, 62, 22, 22, 24, 22], numeric={2, 3, 4}, size=10,
                shade=_fill(ctx["expired_rows"]))
    legend = "; ".join(f"{x['symbol']}: {x['label']}" for x in ctx["heatmap_legend"])
    note = (ctx["heatmap_note"] + "; " if ctx.get("heatmap_note") else "") + legend
    for c in charts.get("heatmaps", []):
        fig.add(c, period, note)
    if ctx.get("tasks"):
        tasks_docx.city_tasks(doc, ctx["tasks"])
    d.blocks(doc, s["II"]["blocks"])

    doc.add_heading(s["III"]["title"], level=1)
    if ctx["ranking"]:
        _ranking(doc, ctx["ranking"], fig)
    else:
        d.paragraph(doc, ctx.get("ranking_note") or "Kỳ này chưa tính chỉ số chuyển đổi số của các đơn vị.")
    d.blocks(doc, s["III"]["blocks"])

    doc.add_heading(s["IV"]["title"], level=1)
    if ctx["quality"]:
        _quality(doc, ctx["quality"])
    d.blocks(doc, s["IV"]["blocks"])

    doc.add_heading(s["V"]["title"], level=1)
    doc.add_heading("1. Tồn tại, hạn chế", level=2)
    if ctx["lagging_targets"]:
        d.paragraph(doc, "Một số chỉ tiêu chưa bảo đảm tiến độ theo lộ trình hoặc không đạt mục tiêu tại hạn:")
        d.bullets(doc, ctx["lagging_targets"])
    if ctx["lagging_units"]:
        d.paragraph(doc, "Các đơn vị có chỉ tiêu chậm tiến độ, có nguy cơ không đạt hoặc không đạt tại hạn (theo số liệu của "
                         "chính đơn vị):", keep=True)
        d.table(doc, ["Đơn vị", "Số chỉ tiêu tham gia", "Có số liệu", "Đạt, vượt hoặc đúng tiến độ", "Chậm tiến độ",
                      "Có nguy cơ không đạt", "Không đạt tại hạn"],
                [[u["name"], fmt.number(u["targets"]), fmt.number(u["with_data"]), fmt.number(u["good"]),
                  fmt.number(u["behind"]), fmt.number(u["at_risk"]), fmt.number(u["missed"])] for u in ctx["lagging_units"]],
                [50, 19, 17, 22, 19, 19, 19], numeric={1, 2, 3, 4, 5, 6}, size=10)
    doc.add_heading("2. Nguyên nhân", level=2)
    d.blocks(doc, s["V"]["blocks"])
    for key in ("VI", "VII"):
        doc.add_heading(s[key]["title"], level=1)
        if ctx.get("tasks"):
            (tasks_docx.next_tasks if key == "VI" else tasks_docx.issues)(doc, ctx["tasks"])
        d.blocks(doc, s[key]["blocks"])

    d.signature(doc, ctx, ctx["recipients"])

    d.page_break(doc)
    d.paragraph(doc, "PHỤ LỤC", bold=True, align="center", size=13)
    d.paragraph(doc, f"({ctx['annex_of']})", italic=True, align="center")
    doc.add_heading("Phụ lục 1. Bảng tổng hợp các chỉ tiêu", level=2)
    d.paragraph(doc, ctx["projection_note"], italic=True, size=11)
    rows = [[r["code"], (r["name"], r.get("replaces") or ""), (fmt.measure(r["baseline"], r["unit_of_measure"]), fmt.date_short(r["baseline_date"])),
             (r["target_text"], fmt.date_short(r["deadline"])), r["actual_text"],
             "–" if r["final"] else f"{fmt.percent(r['progress'], 0)} / {fmt.percent(r['expected_progress'], 0)}",
             r["projection_text"], fmt.number(r["units"]), r["status_label"]] for r in ctx["all_rows"]]
    d.table(doc, ["Mã", "Chỉ tiêu", "Giá trị cơ sở", "Mục tiêu (hạn)", f"Kết quả {ctx['period_label']}",
                  "Tiến độ đạt / kỳ vọng", "Dự báo đến hạn", "Số đơn vị có số liệu", "Tình trạng"],
            rows, [14, 40, 17, 17, 18, 15, 16, 11, 17], numeric={2, 3, 4, 5, 6, 7}, size=9)
    doc.add_heading("Phụ lục 2. Ghi chú, tài liệu kiểm chứng của các đơn vị", level=2)
    if ctx["notes"]:
        d.table(doc, ["Ghi chú, tài liệu kiểm chứng", "Số liệu kèm ghi chú", "Đơn vị"],
                [[n["note"], fmt.number(n["figures"]), n["units"]] for n in ctx["notes"]], [85, 22, 58], numeric={1}, size=10)
    else:
        d.paragraph(doc, "Không có ghi chú.")
    return d.save(doc, path)

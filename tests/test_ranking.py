"""Section III: the city's own index as report data, its partial, the annex sheets and the scorecard slot."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from dxreport import store
from dxreport.compute import status, unit_index
from dxreport.domain import frameworks
from dxreport.domain.succession import load_succession
from dxreport.domain.units import load_units
from dxreport.execute import pipeline
from dxreport.execute.workspace import open_city
from dxreport.publish import index_report as ranking
from dxreport.publish import render, scorecard_report
from openpyxl import load_workbook

PERIOD = "2026-Q3"
INJECTED = '<script>alert("x")</script> {{ 7*7 }}'


@pytest.fixture(scope="module")
def units(city_dir):
    return load_units(city_dir)


@pytest.fixture(scope="module")
def observations(sample_db):
    return store.load_observations(sample_db)


@pytest.fixture(scope="module")
def assessments(sample_db):
    return store.load_assessments(sample_db)


@pytest.fixture(scope="module")
def context(observations, units, root, city_dir, assessments):
    return ranking.ranking_context(observations, units, root, city_dir, PERIOD, assessments=assessments)


def partial(root, ctx) -> str:
    return render.render_html(root / "templates", "_ranking.html.j2", {"ranking": ctx})


def blocks(html: str) -> dict[str, str]:
    """Each audience's <section> of the rendered partial, by key."""
    return dict(re.findall(r'<section class="ranking-block" id="xep-hang-(\w+)">(.*?)</section>', html, re.S))


def test_ranks_and_changes_match_unit_index(context, observations, units, root, city_dir, assessments):
    succession = load_succession(city_dir, units)
    assert [a["framework_id"] for a in context["audiences"]] == ["danang-dvi-so", "danang-dvi-xa"]
    for a in context["audiences"]:
        fw = frameworks.load(a["framework_id"], root)
        expected = unit_index.ranking(unit_index.unit_index(observations, fw, units, succession=succession,
                                                            assessments=assessments), PERIOD)
        assert [r["unit"] for r in a["rows"]] == expected["unit"].tolist()
        for column in ("rank", "previous_rank", "rank_change"):
            assert [r[column] for r in a["rows"]] == [None if pd.isna(v) else int(v) for v in expected[column]]
        assert [r["total"] for r in a["rows"] if r["total"] is not None] == pytest.approx(expected["DVI"].dropna().tolist())
        assert [r["indices"] for r in a["rows"]][0] == pytest.approx(expected.loc[0, fw.codes("index")].tolist())
        assert [r["points"] for r in a["rows"] if r["points"] is not None] == pytest.approx(expected["points"].dropna().tolist())
        assert [r["band"] for r in a["rows"]] == [b if isinstance(b, str) else None for b in expected["band"]]
        assert [r["self_points"] for r in a["rows"] if r["self_points"] is not None] == pytest.approx(
            expected["self_points"].dropna().tolist())
        top = a["rows"][0]  # per main index: its value × its points; the total adds bonus and subtracts penalty
        assert sum(top["index_points"]) + top["bonus"] - top["penalty"] == pytest.approx(top["points"])
        assert a["ranked_count"] == expected["rank"].notna().sum() and a["unit_count"] == len(expected)
        for r in a["rows"]:
            word = {"up": "tăng", "down": "giảm", "same": "giữ nguyên", "new": "chưa xếp hạng", "unranked": "không xếp hạng"}
            assert word[r["change_key"]] in r["change_label"]
            if r["rank_change"]:
                assert f"{abs(r['rank_change'])} bậc" in r["change_label"]
    so = {r["unit"]: r for r in context["audiences"][0]["rows"]}
    assert so["TTTP"]["rank"] == 1 and so["TTTP"]["change_symbol"] == "↑" and so["TTTP"]["change_label"] == "tăng 3 bậc"
    assert so["TTTP"]["index_change_text"] == "+1,11 điểm" and so["TTTP"]["band"] == "Tốt"
    assert so["SNV"]["change_label"] == "giảm 3 bậc" and so["SCT"]["band"] == "Trung bình khá"
    assert so["SDL"]["rank"] is None and so["SDL"]["reason"] == "chưa gửi số liệu"
    assert context["audiences"][0]["unranked"] == [{"unit": "SDL", "name": "Sở Du lịch", "reason": "chưa gửi số liệu"}]
    xa = {r["unit"]: r for r in context["audiences"][1]["rows"]}
    assert xa["P-HCU"]["change_key"] == "new"  # did not report in Q2, so no rank to compare with
    assert set(xa) <= set(units.index[units["kind"].isin(["ward", "commune", "special_zone"])])


def test_sentences_state_only_figures_of_the_table(root, context):
    html = partial(root, context)
    found = blocks(html)
    assert set(found) == {"so", "xa"}
    for a in context["audiences"]:
        block = found[a["key"]]
        table = block[block.index("<table"):block.index("</table>")]
        assert a["summary"] in block and a["summary"] not in table
        text = a["summary"].replace(context["period_label"], "").replace(context["previous_period_label"], "")
        figures = re.findall(r"\d+(?:[.,/]\d+)*", text)
        assert len(figures) >= 4
        for figure in figures:
            assert re.search(rf"(?<![\d,/]){re.escape(figure)}(?![\d,/])", table), (a["key"], figure)
    so = context["audiences"][0]["summary"]
    assert "dẫn đầu là Thanh tra thành phố (86,96 điểm)" in so and "thấp nhất là Sở Công Thương (57,03 điểm, hạng 14)" in so
    assert "14/15" in so and "Sở Du lịch (chưa gửi số liệu)" in so and "Xếp loại: tốt 9; khá 4; trung bình khá 1." in so


def test_unit_text_is_escaped_and_charts_are_ours(root, observations, units, city_dir, assessments):
    named = units.copy()
    named.loc["TTTP", "name"] = INJECTED  # the leader: named in the sentence and the table
    named.loc["X-BNA", "name"] = "<b>Xã</b> Bà Nà"
    ctx = ranking.ranking_context(observations, named, root, city_dir, PERIOD, assessments=assessments)
    html = partial(root, ctx)
    assert "<script" not in html and "<b>Xã</b>" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") >= 2  # sentence and table
    assert "&lt;b&gt;Xã&lt;/b&gt; Bà Nà" in html and "{{ 7*7 }}" in html
    for a in ctx["audiences"]:  # names are drawn as paths (matplotlib keeps them only in escaped comments)
        for chart in a["charts"].values():
            svg = chart["svg"]
            assert svg.startswith("<svg") and "<text" not in svg and "<script" not in svg and "<b>" not in svg
            assert 'aria-label="' in svg and ("<script" not in chart["alt"] or "&lt;script&gt;" in svg)  # named, escaped
    assert html.count("<svg") == 4 and html.count("<figure") == 4


def test_a_unit_without_a_component_is_named_with_the_reason(observations, units, root, city_dir, assessments):
    partial_obs = observations[~((observations["unit"] == "STP") & (observations["indicator"] == "DL_MO"))]
    zero = partial_obs.copy()
    zero.loc[(zero["unit"] == "SNV") & (zero["indicator"] == "HS_TONG") & (zero["period"] == PERIOD), "value"] = 0
    sheets = assessments[~((assessments["unit"] == "SYT") & (assessments["period"] == PERIOD))]
    sheets = sheets[~((sheets["unit"] == "STC") & (sheets["period"] == PERIOD) & (sheets["item"] == "3.1"))]
    ctx = ranking.ranking_context(zero, units, root, city_dir, PERIOD, draw=False, assessments=sheets)
    reasons = {u["unit"]: u["reason"] for u in ctx["audiences"][0]["unranked"]}
    assert reasons["STP"] == "chưa đủ số liệu để tính 4.1 (thiếu DL_MO)"
    assert reasons["SNV"] == "chưa đủ số liệu để tính 5.1 (HS_TONG bằng 0)"
    assert reasons["SYT"] == "chưa có phiếu tự đánh giá, thẩm định"
    assert reasons["STC"] == "chưa đủ số liệu để tính 3.1 (chưa đánh giá)"
    assert ctx["audiences"][0]["charts"] == {}


def test_scorecard_slot_and_annex(root, context, sample_db, tmp_path):
    ws = open_city("danang", root, None, sample_db)
    snv = pipeline.unit_ranking(ws, "SNV", PERIOD, context)
    assert snv["value"] == pytest.approx(0.7565974768) and (snv["rank"], snv["of"], snv["rank_change"]) == (11, 14, -3)
    assert snv["points"] == pytest.approx(75.65974768) and snv["band"] == "Khá" and snv["report_as"] == "points"
    assert snv["audience"] == "Sở, ban, ngành" and [i["code"] for i in snv["indices"]] == ["NTS", "TCS", "HTS", "UDS", "DVC", "NLS"]
    assert pipeline.unit_ranking(ws, "SNV", PERIOD) == snv  # computed on its own, the same
    assert pipeline.unit_ranking(ws, "DN", PERIOD, context) is None
    for unit, words in (("SNV", ["Tổng điểm của đơn vị (sau thẩm định): 75,66/100 điểm, xếp loại khá; xếp hạng 11/14 sở, "
                                 "ban, ngành có chỉ số", "↓ giảm 3 bậc, −7,02 điểm so với Quý II/2026, khi đó xếp hạng 8",
                                 "(điểm mẫu: quyết định chưa công bố điểm từng nhóm)"]),
                        ("SDL", ["Đơn vị chưa có chỉ số kỳ này: chưa gửi số liệu"])):
        ctx = scorecard_report.scorecard_context(
            city=ws.city, unit={"code": unit, "name": ws.units.loc[unit, "name"], "kind": "department"}, period=PERIOD,
            report_date="2026-10-05", table=pipeline.unit_table(ws, unit, PERIOD, status.Thresholds()),
            submissions=[], chart_svg="", sample_mark="", ranking=pipeline.unit_ranking(ws, unit, PERIOD, context))
        html = render.render_html(root / "templates", "unit_scorecard.html.j2", ctx)
        assert "1. Chỉ số chuyển đổi số của đơn vị" in html and "3. Tình hình gửi số liệu" in html  # no actions given
        for w in words:
            assert w in html
    sheets = ranking.annex_sheets(context)
    path = tmp_path / "annex.xlsx"
    from dxreport.publish import annex

    annex.write_annex(path, pd.DataFrame(columns=["code"]), extra=sheets)
    wb = load_workbook(path)
    assert wb.sheetnames == ["TinhTrangChiTieu", "ChiSo_SoBanNganh", "ChiSo_PhuongXa"]
    ws_so = wb["ChiSo_SoBanNganh"]
    header = [c.value for c in ws_so[1]]
    assert header[:3] == ["Hạng", "Mã đơn vị", "Đơn vị"] and "Chỉ số chuyển đổi số đơn vị (DVI)" in header
    total = header.index("Chỉ số chuyển đổi số đơn vị (DVI)") + 1
    assert ws_so.cell(2, 1).value == 1 and ws_so.cell(2, 2).value == "TTTP"
    assert isinstance(ws_so.cell(2, total).value, float) and ws_so.cell(2, total).number_format == "0.0000"  # 4 decimals
    assert ws_so.cell(2, total).value == pytest.approx(0.8695861356)
    points = header.index("Tổng điểm (trên 100)") + 1
    assert ws_so.cell(2, points).value == pytest.approx(86.95861356) and ws_so.cell(2, header.index("Xếp loại") + 1).value == "Tốt"
    assert {"Tổng điểm tự đánh giá", "Điểm thưởng (tối đa 5)", "Điểm trừ (tối đa 10)"} <= set(header)
    last = ws_so.max_row
    assert ws_so.cell(last, 2).value == "SDL" and ws_so.cell(last, 1).value is None and ws_so.cell(last, total).value is None


def test_city_report_has_section_three(root, sample_db, context, tmp_path, monkeypatch):
    monkeypatch.setattr(render, "write_pdf", lambda html, path, *args, **kwargs: path.write_bytes(b""))  # PDF: test_report
    ws = open_city("danang", root, None, sample_db)
    tables = pipeline.city_tables(ws, PERIOD, status.Thresholds())
    written = pipeline.write_city(ws, tables, {}, period=PERIOD,
                                  report_date="2026-10-05", document_number="", sample_data=True, out=tmp_path,
                                  ranking=context)
    html = written["html"].read_text(encoding="utf-8")
    section = html[html.index("III. CHỈ SỐ CHUYỂN ĐỔI SỐ"):html.index("IV. TÌNH HÌNH GỬI SỐ LIỆU")]
    assert "chưa tính chỉ số chuyển đổi số" not in section
    assert section.count('<table class="data cards ranking') == 2 and section.count("<svg") == 4
    assert "Hình 1. Xếp hạng sở, ban, ngành" in section  # no chart before it here, so the numbering starts at 1
    assert "Hình 2. Thay đổi chỉ số của sở, ban, ngành so với Quý II/2026" in section
    for a in context["audiences"]:
        assert a["summary"] in section
    assert {"index_so", "index_xa"} <= set(written)
    csv = pd.read_csv(written["index_so"])
    assert csv.loc[0, "Mã đơn vị"] == "TTTP" and csv.loc[0, "Hạng"] == 1
    book = load_workbook(written["annex"])
    assert "ChiSo_PhuongXa" in book.sheetnames and "ViecCanLam" in book.sheetnames
    todo = book["ViecCanLam"]
    header = [c.value for c in todo[1]]
    assert header[:4] == ["Mã đơn vị", "Đơn vị", "Thứ tự", "Mã mục"] and "Điểm tăng" in header
    units_listed = {todo.cell(r, 1).value for r in range(2, todo.max_row + 1)}
    assert {"SCT", "P-TKH", "SDL", "X-BNA"} <= units_listed  # every unit with something to do, reports missing included
    # the table shows points on the framework's scale and bands; the 4-decimal index is in the annex only
    assert "86,96" in section and "Xếp loại" in section and "0,8696" not in section


def test_same_inputs_same_section_bytes(root, observations, units, city_dir, context, assessments):
    again = ranking.ranking_context(observations, units, root, city_dir, PERIOD, assessments=assessments)
    assert partial(root, again) == partial(root, context)


def _row(name, rank, previous_rank=None, total=0.5):
    change = None if rank is None or previous_rank is None else previous_rank - rank
    return {"name": name, "rank": rank, "previous_rank": previous_rank, "rank_change": change, "total": total}


@pytest.mark.parametrize("rows, unranked, expected", [
    ([_row("Sở A", 1, 3, 0.9), _row("Sở B", 2, 1, 0.8), _row("Sở C", 3, 2, 0.7)], [],
     "Quý III/2026, 3/3 sở, ban, ngành có chỉ số; dẫn đầu là Sở A (0,9000), thấp nhất là Sở C (0,7000, hạng 3)."
     " Tăng nhiều bậc nhất so với Quý II/2026 là Sở A (tăng 2 bậc, từ hạng 3 lên hạng 1)."
     " Giảm nhiều bậc nhất là Sở B và Sở C (cùng giảm 1 bậc)."),
    ([_row("Sở A", 1, 1, 0.9), _row("Sở B", 2, 4, 0.8), _row("Sở C", 3, 5), _row("Sở D", 4, 3), _row("Sở E", 5, 2)], [],
     "Quý III/2026, 5/5 sở, ban, ngành có chỉ số; dẫn đầu là Sở A (0,9000), thấp nhất là Sở E (0,5000, hạng 5)."
     " Tăng nhiều bậc nhất so với Quý II/2026 là Sở B và Sở C (cùng tăng 2 bậc)."
     " Giảm nhiều bậc nhất là Sở E (giảm 3 bậc, từ hạng 2 xuống hạng 5)."),
    ([_row("Sở A", 1, 1, 0.9), _row("Sở B", 2, 2, 0.8)], [{"name": "Sở C", "reason": "chưa gửi số liệu"}],
     "Quý III/2026, 2/3 sở, ban, ngành có chỉ số; dẫn đầu là Sở A (0,9000), thấp nhất là Sở B (0,8000, hạng 2)."
     " Không sở, ban, ngành nào tăng hạng so với Quý II/2026. Chưa có chỉ số: Sở C (chưa gửi số liệu)."),
    ([_row("Sở A", 1, None, 0.9)], [], "Quý III/2026, 1/1 sở, ban, ngành có chỉ số; dẫn đầu là Sở A (0,9000)."),
    ([_row("Sở A", None)], [], "Quý III/2026, chưa sở, ban, ngành nào có đủ số liệu để tính chỉ số."),
])
def test_audience_summary_names_the_biggest_climbers_and_fallers(rows, unranked, expected):
    audience = {"rows": rows, "unranked": unranked, "unit_count": len(rows) + len(unranked), "audience_label": "Sở, ban, ngành"}
    assert ranking.audience_summary(audience, PERIOD) == expected

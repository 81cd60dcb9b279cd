"""The charts: the numbers each one draws (its CSV) from its inputs, its alternative text, unique ids, print size."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from dxreport import store
from dxreport.compute import status
from dxreport.domain.paths import fonts_dir
from dxreport.domain.periods import Period
from dxreport.execute import pipeline
from dxreport.execute.workspace import open_city
from dxreport.publish import charts, city_charts, figures, index_charts, scorecard_charts, target_charts
from dxreport.publish import index_report as ranking

PERIOD = "2026-Q3"
TEXT_WIDTH_PT = 165 / 25.4 * 72  # A4 less the margins of Nghị định 30 (30 mm left, 15 mm right)


@pytest.fixture(scope="module")
def ws(root, sample_db):
    charts.use_fonts(fonts_dir(root))
    return open_city("danang", root, None, sample_db)


@pytest.fixture(scope="module")
def tables(ws):
    return pipeline.city_tables(ws, PERIOD, status.Thresholds())


@pytest.fixture(scope="module")
def drawn(ws, tables):
    return pipeline.city_charts(ws, tables)


def ids_of(html: str) -> list[str]:
    found: list[str] = []

    class Ids(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend(v for k, v in attrs if k == "id")

    Ids().feed(html)
    return found


def svg_width_pt(svg: str) -> float:
    return float(re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', svg).group(1))


def test_two_figures_alike_share_no_id_and_every_reference_resolves(root):
    charts.use_fonts(fonts_dir(root))

    def fig():
        f, ax = plt.subplots()
        ax.bar([0, 1], [1, 2], hatch="//")
        ax.set_title("Đúng tiến độ")
        return f

    a, b = charts.to_svg(fig(), key="a", alt='Hình "a" <b>'), charts.to_svg(fig(), key="b", alt="Hình b")
    ids_a, ids_b = ids_of(a), ids_of(b)
    assert ids_a and not set(ids_a) & set(ids_b) and len(ids_a) == len(set(ids_a))
    for svg, ids in ((a, ids_a), (b, ids_b)):
        refs = re.findall(r'(?:href="#|url\(#)([^")]+)', svg)
        assert refs and set(refs) <= set(ids)
    assert 'role="img" aria-label="Hình &quot;a&quot; &lt;b&gt;"' in a and "<title>Hình &quot;a&quot; &lt;b&gt;</title>" in a
    assert a == charts.to_svg(fig(), key="a", alt='Hình "a" <b>')  # byte-stable


def test_path_data_reads_the_status_computation(ws, tables):
    data = target_charts.path_data(tables["status"], tables["history"], ws.programme)
    targets = {t.code: t for t in ws.programme.targets}
    history = tables["history"].set_index(["target", "period"])["actual"]
    for r in data.sample(20, random_state=1).itertuples(index=False):
        code, period, actual, expected = r[0], r[3], r[5], r[6]
        t = targets[code]
        end = Period.parse(period).end
        assert actual == pytest.approx(history[(code, period)], nan_ok=True)
        if end <= t.deadline:
            assert expected == pytest.approx(status.expected_at(t, end)[0])
    now = data[data["Kỳ"] == PERIOD].set_index("Mã chỉ tiêu")["Kết quả"]
    table = tables["status"].set_index("code")["actual"]
    assert now.to_dict() == pytest.approx(table.reindex(now.index).to_dict(), nan_ok=True)  # the report's actuals


def test_bullet_data_is_the_progress_from_baseline_to_target(tables):
    data = target_charts.bullet_data(tables["status"])
    running = tables["status"][~tables["status"]["final"]]
    assert list(data["Mã chỉ tiêu"]) == list(running["code"])
    for r in data.dropna(subset=["Kết quả"]).itertuples(index=False):
        baseline, actual, target, progress = r[3], r[4], r[6], r[7]
        assert progress == pytest.approx((actual - baseline) / (target - baseline))


def test_city_charts_have_their_words_and_data(drawn, tables, tmp_path):
    found = figures.flatten(drawn)
    keys = [c.key for c in found]
    assert len(keys) == len(set(keys)) and len(found) >= 5
    for c in found:
        assert c.alt and c.alt.startswith(("Biểu đồ", "Bản đồ")) and c.svg.startswith("<svg")
        assert f'aria-label="' in c.svg and svg_width_pt(c.svg) <= TEXT_WIDTH_PT  # 7-point text stays 7 points in print
    written = figures.write_data(drawn, tmp_path)
    bars = pd.read_csv(written["chart_so-chi-tieu-theo-nhom"])
    assert bars.drop(columns="Nhóm").to_numpy().sum() == len(city_charts.reported_targets(tables["status"]))
    paths = pd.concat([pd.read_csv(written[f"chart_{c.key}"]) for c in drawn["paths"].values()])
    assert set(paths["Mã chỉ tiêu"]) == set(city_charts.reported_targets(tables["status"])["code"])
    cells = pd.concat([pd.read_csv(written[f"chart_{c.key}"]) for c in drawn["heatmaps"]])
    assert len(cells) == tables["matrix"].notna().sum().sum()  # every unit × target cell, once


def test_heat_maps_of_a_city_of_200_units_stay_legible(root):
    charts.use_fonts(fonts_dir(root))
    codes = [f"S{n:02d}" for n in range(30)] + [f"P{n:03d}" for n in range(170)]
    units = pd.DataFrame({"name": [f"Sở số {n}" for n in range(30)] + [f"Phường số {n} của thành phố" for n in range(170)],
                          "kind": ["department"] * 30 + ["ward"] * 170}, index=codes)
    keys = ["on_track", "behind", "at_risk", "met", None]
    matrix = pd.DataFrame([[keys[(i + j) % 5] for j in range(19)] for i in range(200)], index=codes,
                          columns=[f"CT{j + 1:02d}" for j in range(19)])
    maps = city_charts.heatmaps(matrix, units)
    shown = [u for m in maps for u in m.data["Mã đơn vị"].drop_duplicates()]
    assert sorted(shown) == sorted(codes)  # every unit once
    assert len(maps) == 1 + 5  # the departments, then the wards in parts of at most 40
    for m in maps:
        assert m.data["Mã đơn vị"].nunique() <= charts.HEATMAP_ROWS
        assert m.data["Mã đơn vị"].str[0].nunique() == 1  # departments and wards never share a map
        assert svg_width_pt(m.svg) <= TEXT_WIDTH_PT
        assert "phần" in m.title or m.data["Mã đơn vị"].str.startswith("S").all()
        assert len(set(ids_of(m.svg))) == len(ids_of(m.svg))


@pytest.fixture(scope="module")
def index_context(ws, sample_db):
    return ranking.ranking_context(store.load_observations(sample_db), ws.units, ws.root, ws.city_dir, PERIOD,
                                   assessments=store.load_assessments(sample_db))


def test_ranking_dots_and_moves_data(index_context):
    for a in index_context["audiences"]:
        dots = index_charts.dots_data(a)
        scale = a["total_points"] if a["report_as"] == "points" else 1
        assert list(dots["Mã đơn vị"]) == [r["unit"] for r in a["rows"]]
        for r, v in zip(a["rows"], dots["Giá trị"]):
            assert (v is None or pd.isna(v)) if r["total"] is None else v == pytest.approx(r["total"] * scale)
        moves = index_charts.moves_data(a)
        parts = moves.columns[4:]
        assert moves[parts].fillna(0).sum(axis=1).to_numpy() == pytest.approx(moves["Thay đổi"].to_numpy())
        by_unit = {r["unit"]: r for r in a["rows"]}
        for m in moves.to_dict("records"):
            r = by_unit[m["Mã đơn vị"]]
            assert m["Thay đổi"] == pytest.approx((r["total"] - r["previous_total"]) * scale)
            if not r["previous_from"]:  # its own parts a quarter before: the split explains the whole change
                assert abs(m["Khác"]) < 1e-6
                i = 0
                assert m[a["indices"][i]["code"]] == pytest.approx(
                    (r["indices"][i] - r["previous_indices"][i]) * a["indices"][i]["points"] * scale / a["total_points"])
        assert list(moves["Thay đổi"]) == sorted(moves["Thay đổi"], reverse=True)
        for key in ("dots", "moves"):
            chart = a["charts"][key]
            assert chart["alt"] and f'aria-label="' in chart["svg"] and svg_width_pt(chart["svg"]) <= TEXT_WIDTH_PT
        assert "không bắt đầu từ 0" in a["charts"]["dots"]["alt"]


def test_dots_of_many_units_show_both_ends(root):
    charts.use_fonts(fonts_dir(root))
    a = {"report_as": "index", "decimals": 4, "total_points": 100, "audience_label": "Phường, xã", "total_name": "Chỉ số",
         "rows": [{"rank": n + 1, "unit": f"P{n}", "name": f"Phường {n}", "total": 0.96 - n * 0.0007,
                   "previous_total": 0.95 - n * 0.0007} for n in range(170)]}
    data = index_charts.dots_data(a)
    fig = index_charts.dots_figure(data, "Chỉ số", a)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    plt.close(fig)
    assert len(labels) == 2 * index_charts.SHOWN_ENDS + 1 and "140 đơn vị khác" in labels[index_charts.SHOWN_ENDS]
    assert labels[0] == "1. Phường 0" and labels[-1] == "170. Phường 169"


def test_scorecard_chart_sets_the_unit_against_the_city_and_the_path(ws, tmp_path):
    table = pipeline.unit_table(ws, "P-HCH", PERIOD, status.Thresholds())
    chart = pipeline.scorecard_chart(ws, "P-HCH", table, PERIOD)
    data = chart.data
    assert set(data["Mã chỉ tiêu"]) == set(table["code"])
    city = status.actuals(ws.observations, ws.programme, list(table.iloc[0]["history"]))
    city = city.set_index(["target", "period"])["actual"]
    own = {(r["code"], q): v for r in table.to_dict("records") for q, v in r["history"].items()}
    for r in data.to_dict("records"):
        assert r["Toàn thành phố"] == pytest.approx(city[(r["Mã chỉ tiêu"], r["Kỳ"])], nan_ok=True)
        assert r["Đơn vị"] == pytest.approx(own[(r["Mã chỉ tiêu"], r["Kỳ"])], nan_ok=True)
    shown = chart.context()  # a PNG in the HTML and the PDF (WeasyPrint draws an SVG's every glyph: too slow × 200)
    assert "Phường Hải Châu" in chart.alt and shown["svg"] == "" and 0 < shown["width_pt"] <= TEXT_WIDTH_PT
    written = pipeline.write_scorecard(ws, "P-HCH", table, chart, period=PERIOD, report_date="2026-10-05",
                                       sample_data=True, out=tmp_path)
    html = written["html"].read_text(encoding="utf-8")
    assert 'href="charts/dien-bien-chi-tieu.csv"' in html and (tmp_path / "charts" / "dien-bien-chi-tieu.csv").is_file()
    import base64

    img = re.search(r'<img class="chart" src="data:image/png;base64,([^"]+)" alt="([^"]+)"', html)
    assert base64.b64decode(img.group(1)) == chart.png() and img.group(2).startswith("Biểu đồ nhỏ cho từng chỉ tiêu của Phường Hải Châu")
    ids = ids_of(html)
    assert len(ids) == len(set(ids))

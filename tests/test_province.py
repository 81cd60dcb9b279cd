"""A city of 200 units (bench/province.py: 30 departments, 170 wards and communes) end to end, in-process: its
configuration made from the sample city's, its workbooks by ``dxreport sample``, ingested by ``dxreport ingest``,
then the city report, the data-quality report and two scorecards. The city report stays readable at that size:
the top and bottom of each long list in the body, every unit in the annex, a body of at most 25 pages.

Two quarters of workbooks only (the report's quarter and the one before it), to keep the test short.
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from pathlib import Path

import pagefill
import pandas as pd
import pytest
from pypdf import PdfReader

from conftest import ROOT
from dxreport.cli import main
from dxreport.compute import quality, status
from dxreport.domain import config, frameworks
from dxreport.execute import pipeline
from dxreport.execute.workspace import open_city
from dxreport.publish import quality_report, report

sys.path.insert(0, str(ROOT / "bench"))
import province  # noqa: E402

pytestmark = pytest.mark.slow


def _clear_caches():
    for cached in (config.load_city, config.load_indicators, config.load_programme, frameworks.load):
        cached.cache_clear()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = tmp_path_factory.mktemp("province")
    for name in ("data", "templates", "params"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("sample"))
    (project / "reports").mkdir()
    params = province.make(project)
    _clear_caches()
    timings = {}
    mp = pytest.MonkeyPatch()
    mp.chdir(project)
    try:
        started = time.perf_counter()
        assert main(["sample", "--city", province.CODE, "--periods", "2026-Q2:2026-Q3"]) == 0
        assert main(["ingest", f"data/sample/{province.CODE}"]) == 0
        timings["workbooks"] = time.perf_counter() - started
        started = time.perf_counter()
        ws = open_city(province.CODE, project, project / "data" / "sample" / province.CODE, project / "build" / f"{province.CODE}.duckdb")
        period = province.PERIOD
        tables = pipeline.city_tables(ws, period, status.Thresholds())
        qtables = quality.workspace_tables(ws, period, rule=ws.city.jumps)
        summary = quality_report.quality_context(qtables, period=period, rule=ws.city.jumps, max_jumps=10)
        out = project / "reports" / province.CODE / period
        written = pipeline.write_city(ws, tables, pipeline.city_charts(ws, tables), period=period, report_date="2026-10-20",
                                      document_number="", sample_data=True, out=out, quality=summary,
                                      ranking=pipeline.city_ranking(ws, period))
        timings["city"] = time.perf_counter() - started
        started = time.perf_counter()
        context = quality_report.quality_context(qtables, period=period, rule=ws.city.jumps)
        quality_report.write_quality_report(
            quality_report.report_context(context, city=ws.city, report_date="2026-10-20", sample_mark=report.SAMPLE_MARK),
            qtables, out / "chat-luong-so-lieu", ws.root)
        for unit in ("S30", "X-168"):
            table = pipeline.unit_table(ws, unit, period, status.Thresholds())
            pipeline.write_scorecard(ws, unit, table, pipeline.scorecard_chart(ws, unit, table, period), period=period,
                                     report_date="2026-10-20", sample_data=True, out=out / "don-vi" / unit)
        timings["quality and 2 scorecards"] = time.perf_counter() - started
    finally:
        mp.undo()
        _clear_caches()
    print("thời gian (s):", {k: round(v, 1) for k, v in timings.items()})
    return {"project": project, "params": params, "out": out, "written": written, "ws": ws, "tables": tables}


def test_the_generated_city_has_200_units(built):
    units = pd.read_csv(built["project"] / "data" / "cities" / province.CODE / "units.csv")
    kinds = units["kind"].value_counts().to_dict()
    assert kinds["department"] == 30 and kinds["ward"] + kinds["commune"] == 170 and kinds["city"] == 1
    assert units["code"].is_unique
    reported = built["tables"]["overview"]
    assert len(reported) == 200  # every unit has its table of targets


def _body_and_annex(pdf: Path) -> tuple[list[pagefill.Page], list[pagefill.Page]]:
    found = pagefill.pages(pdf)
    start = next(p.number for p in found if p.first_words.startswith("PHỤ LỤC"))
    return [p for p in found if p.number < start], [p for p in found if p.number >= start]


@pytest.mark.skipif(not pagefill.PDFTOTEXT, reason="poppler's pdftotext is not installed")
def test_the_city_report_body_stays_within_25_pages(built):
    body, annex = _body_and_annex(built["written"]["pdf"])
    print(f"thân báo cáo: {len(body)} trang; phụ lục: {len(annex)} trang")
    print(pagefill.table(body + annex))
    assert len(body) <= 25
    assert pagefill.holes(body, charts_exempt=True) == []


def test_the_body_shows_top_and_bottom_units_and_the_annex_all(built):
    """Each long ranking shows its first and last ten units in the body, with a row saying how many are between
    them, and every unit in Phụ lục 4; the table of lagging units shows those lagging most, the rest in Phụ lục 5;
    the heat map shows the units lagging most and says so."""
    html = built["written"]["html"].read_text(encoding="utf-8")
    body, annex = html.split('id="phu-luc"', 1)
    wards = [n for n in pd.read_csv(built["project"] / "data" / "cities" / province.CODE / "units.csv").itertuples()
             if n.kind in ("ward", "commune")]
    gaps = re.findall(r"… (\d+) đơn vị tiếp theo: Phụ lục 4", body)
    assert gaps and "150" in gaps  # 170 wards and communes: 10 + 150 + 10
    shown = [w.name for w in wards if f">{w.name}<" in body.split('id="muc-III"', 1)[1].split('id="muc-IV"', 1)[0]]
    assert 20 <= len(shown) <= 20 + 4  # the top and bottom ten (and the few the radar names)
    assert all(f">{w.name}<" in annex for w in wards)  # every ward and commune ranked in the annex
    assert "Phụ lục 5" in body and 'id="phu-luc-5"' in annex
    assert re.search(r"Hình \d+\. [^<]*\(40 trong 200 đơn vị có tỷ lệ chỉ tiêu đạt hoặc đúng tiến độ thấp nhất", body)
    assert len(built["tables"]["matrix"]) == 40 and len(built["tables"]["matrix_all"]) == 200


def test_the_quality_report_and_scorecards_of_the_province(built):
    out = built["out"]
    assert (out / "chat-luong-so-lieu" / "report.pdf").is_file()
    for unit in ("S30", "X-168"):
        pdf = out / "don-vi" / unit / "report.pdf"
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
        assert "PHIẾU ĐÁNH GIÁ" in text and f"({unit})" in text
    html = built["written"]["html"].read_text(encoding="utf-8")
    assert 'href="don-vi/X-168/report.html"' in html or 'href="don-vi/S30/report.html"' in html


# ---------------------------------------------------------------- the rules, on small made-up lists


def test_a_long_list_keeps_its_ends_and_says_how_many_are_between():
    from dxreport.publish import condense

    rows = [{"name": f"U{k}"} for k in range(1, 171)]
    cut = condense.ends(rows)
    assert [r["name"] for r in cut[:10]] == [f"U{k}" for k in range(1, 11)]
    assert cut[10] == {"gap": 150} and [r["name"] for r in cut[11:]] == [f"U{k}" for k in range(161, 171)]
    assert condense.ends(rows[:40]) == rows[:40]  # 40 or fewer: the whole list
    ranking = {"audiences": [{"rows": rows, "charts": {"dots": "<svg/>", "moves": "<svg/>"}},
                             {"rows": rows[:30], "charts": {"dots": "<svg/>"}}]}
    body = condense.ranking(ranking)
    assert body["in_annex"] and body["audiences"][0]["charts"] == {"dots": "", "moves": "<svg/>"}
    assert body["audiences"][1]["body_rows"] == rows[:30] and body["audiences"][1]["charts"]["dots"] == "<svg/>"
    assert ranking["audiences"][0]["charts"]["dots"] == "<svg/>"  # the ranking given is not changed


def test_the_heat_map_keeps_the_units_lagging_most_in_their_own_order():
    from dxreport.compute import unit_status

    codes = [f"U{k:03d}" for k in range(60)]
    overview = pd.DataFrame({"code": codes, "good_share": [None if k == 0 else (k % 30) / 30 for k in range(60)],
                             "at_risk": 0, "behind": 0, "missed": 0})
    matrix = pd.DataFrame({"CT01": "on_track"}, index=codes)
    kept = unit_status.lagging_rows(matrix, overview, limit=10)
    shares = overview.set_index("code")["good_share"]
    assert len(kept) == 10 and list(kept.index) == sorted(kept.index)  # the matrix's order
    assert "U000" not in kept.index  # a unit without data is not named among the worst
    assert shares[kept.index].max() <= shares.drop(kept.index).dropna().min()
    assert unit_status.lagging_rows(matrix.head(10), overview, limit=10).equals(matrix.head(10))

"""A unit's actions (:mod:`dxreport.compute.actions`) as a reader sees them: sentences, values in their units.

Used by the scorecard (its first section), ``actions.csv`` beside it, and the
city report's Excel annex (one sheet of every unit's actions). Every figure is
formatted here through :mod:`dxreport.domain.fmt`; the numbers behind them stay
in the compute table.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from dxreport.compute import actions as compute
from dxreport.compute.status import STATUS_LABELS
from dxreport.domain import fmt
from dxreport.domain.periods import Period

SUBMISSION_TEXT = {"missing": "Chưa gửi", "late": "Gửi muộn", "on_time": "Đúng hạn"}


def _missing(value: Any) -> bool:
    try:
        return value is None or (not isinstance(value, str) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def about(n: float) -> int:
    """A count to add, as said aloud: exact below 100, else rounded up to two significant figures (117 → 120)."""
    n = int(math.ceil(n - 1e-9))
    if n < 100:
        return n
    step = 10 ** (len(str(n)) - 2)
    return int(math.ceil(n / step) * step)


def value_text(row: dict[str, Any], value: Any) -> str:
    """A value of an action in its own terms: Có/Chưa, a percentage, points, a count or a target's measure."""
    if _missing(value):
        return fmt.MISSING
    measure = row.get("measure")
    if measure == "yesno":
        return fmt.yes_no(value)
    if measure == "points":
        return f"{fmt.number_auto(value, 2)} điểm"
    if measure == "share" or row.get("unit_of_measure") == "%":
        return fmt.percent(value)
    if measure == "text":
        return SUBMISSION_TEXT.get(str(value), str(value))
    return fmt.measure(value, row.get("unit_of_measure") or "")


def _extra(row: dict[str, Any], key: str = "extra") -> str:
    """'cần thêm khoảng 120 hồ sơ trực tuyến' (or fewer, for a measure that should go down)."""
    extra = row.get(key)
    if _missing(extra) or extra == 0:
        return ""
    word = "thêm" if extra > 0 else "giảm"
    return f"{word} khoảng {fmt.number(about(abs(extra)))} {row.get('extra_unit') or ''}".rstrip()


def action_text(row: dict[str, Any]) -> str:
    """What to do, in one sentence."""
    kind, name = row["kind"], row["name"]
    lower = fmt.lower_first(name)
    if kind == compute.TARGET:
        text = f"Nâng {lower} lên {value_text(row, row['needed'])} vào cuối {fmt.lower_first(fmt.period_label(row['period']))}"
        extra = _extra(row)
        if extra:
            text += f": cần {extra} so với quý này (với số lượng như quý này)"
        text += f"; mục tiêu {value_text(row, row['needed_deadline'])} đến {fmt.date_short(row['deadline'])}"
        extra_deadline = _extra(row, "extra_deadline")
        if extra_deadline:
            text += f" (cần {extra_deadline})"
        return text + f" [{row['target']}: {STATUS_LABELS[row['status']].lower()}]"
    if kind == compute.YESNO:
        text = f"Chuyển sang “Có”: {lower}"
        if row.get("target") and row.get("status"):
            text += f" [{row['target']}: {STATUS_LABELS[row['status']].lower()}]"
        elif row.get("note") == "self":
            text += " (tự đánh giá, kèm tài liệu kiểm chứng)"
        elif row.get("note") == "office":
            text += " (cơ quan chuyên môn đánh giá)"
        return text
    if kind == compute.STEP:
        text = f"Đạt {value_text(row, row['needed'])} để lên bậc điểm kế tiếp: {lower}"
        extra = _extra(row)
        return text + (f"; cần {extra} so với quý này" if extra else "")
    if kind == compute.ASSESSED:
        return f"Nâng lên {value_text(row, row['needed'])} (thẩm định kỳ này: {value_text(row, row['current'])}): {lower}"
    if kind == compute.EVIDENCE:
        what = f" ({row['note']})" if row.get("note") else ""
        return f"Bổ sung tài liệu kiểm chứng{what}: {lower} — tự đánh giá {value_text(row, row['current'])} nhưng được 0 điểm khi thẩm định"
    if kind == compute.PENALTY:
        return f"Khắc phục để không bị trừ điểm: {lower} (kỳ này bị trừ {fmt.number_auto(row['current'], 2)} điểm)"
    if kind == compute.TASK:
        return f"Hoàn thành nhiệm vụ {row['item']} ({lower}), đã quá hạn {fmt.number(int(row['note']))} ngày"
    # submission
    label = fmt.period_label(row["period"])
    if row["item"] == "DANH_GIA":
        return f"Gửi phiếu tự đánh giá {label} kèm tài liệu kiểm chứng"
    if row["current"] == "missing":
        return f"Gửi báo cáo số liệu {label} (chưa gửi)"
    late = f" {row['note']} ngày" if row.get("note") else ""
    return f"Gửi báo cáo đúng hạn ({label} gửi muộn{late})"


def needed_text(row: dict[str, Any]) -> str:
    """The value to reach next quarter (and by the deadline, for a target)."""
    if row["kind"] == compute.SUBMISSION:
        return f"đúng hạn, trước {fmt.date_short(row['deadline'])}" if not _missing(row.get("deadline")) else "đúng hạn"
    if row["kind"] == compute.EVIDENCE:
        return "có tài liệu kiểm chứng"
    if row["kind"] == compute.TASK:
        return "hoàn thành, có tài liệu kiểm chứng"
    if row["kind"] == compute.PENALTY:
        return "không bị trừ điểm"
    text = value_text(row, row["needed"])
    if row["kind"] == compute.TARGET:
        text += f" ({fmt.period_label(row['period'])}); {value_text(row, row['needed_deadline'])} (hạn {fmt.date_short(row['deadline'])})"
    return text


def current_text(row: dict[str, Any]) -> str:
    if row["kind"] == compute.SUBMISSION:
        if row["item"] == "DANH_GIA":
            return "Chưa gửi phiếu"
        late = f" {row['note']} ngày" if row["current"] == "late" and row.get("note") else ""
        return SUBMISSION_TEXT[row["current"]] + late
    if row["kind"] == compute.EVIDENCE:
        return f"{value_text(row, row['current'])}, thiếu tài liệu"
    if row["kind"] == compute.PENALTY:
        return f"−{fmt.number_auto(row['current'], 2)} điểm"
    if row["kind"] == compute.TASK:
        done = "chưa báo cáo" if _missing(row["current"]) else f"thực hiện {fmt.number(row['current'])}%"
        return f"{done}, quá hạn {fmt.number(int(row['note']))} ngày"
    return value_text(row, row["current"])


def peer_text(row: dict[str, Any]) -> str:
    if row["kind"] in (compute.SUBMISSION, compute.TASK):
        return fmt.MISSING
    if row["kind"] == compute.PENALTY:
        return f"−{fmt.number_auto(row['peer_median'], 2)} điểm" if not _missing(row["peer_median"]) and row["peer_median"] else "0 điểm"
    return value_text(row, row["peer_median"])


def rows(actions: pd.DataFrame, decimals: int = 2) -> list[dict[str, Any]]:
    """The actions as the scorecard's table reads them (plain strings and numbers)."""
    out = []
    for n, r in enumerate(actions.to_dict("records") if len(actions) else [], start=1):
        r = {k: (None if _missing(v) else v) for k, v in r.items()}
        gain = r.get("gain_points")
        out.append({
            "n": n, "kind": r["kind"], "kind_label": compute.KIND_LABELS[r["kind"]], "item": r["item"],
            "name": r["name"], "action": action_text(r), "current": current_text(r), "needed": needed_text(r),
            "peer": peer_text(r),
            "gain": None if gain is None else fmt.signed(gain, decimals) + " điểm",
            "gain_value": gain,
            "if_fixed": None if r.get("points_if_fixed") is None else
            f"{fmt.number(r['points_if_fixed'], decimals)} điểm, hạng {fmt.number(r['rank_if_fixed'])}"
            + (f", {r['band_if_fixed'].lower()}" if r.get("band_if_fixed") else ""),
        })
    return out


def outlook_text(outlook: dict[str, Any], period: str, decimals: int = 2) -> list[str]:
    """The band now and within reach, in two or three sentences (empty when the unit has no index)."""
    if outlook.get("points") is None:
        return []
    next_label = fmt.lower_first(fmt.period_label(Period.parse(period).next))
    now = f"{fmt.number(outlook['points'], decimals)} điểm"
    text = [f"Hiện nay: {now}" + (f", xếp loại {outlook['band'].lower()}" if outlook.get("band") else "")
            + f", hạng {fmt.number(outlook['rank'])}/{fmt.number(outlook['of'])}"
            + (f" (trung vị của nhóm: {fmt.number(outlook['peer_median_points'], decimals)} điểm)."
               if outlook.get("peer_median_points") is not None else ".")]
    if outlook.get("yesno_count", 0) and outlook["yesno_count"] > 1:
        text.append(f"Nếu chuyển cả {fmt.count(outlook['yesno_count'])} mục có/chưa sang “Có”: "
                    f"{fmt.number(outlook['yesno_points'], decimals)} điểm, khoảng hạng {fmt.number(outlook['yesno_rank'])}"
                    + (f", {outlook['yesno_band'].lower()}" if outlook.get("yesno_band") else "") + ".")
    if outlook.get("reach_points") is not None and outlook["reach_points"] > outlook["points"] + 1e-9:
        text.append(f"Nếu làm được mọi việc dưới đây trong {next_label}: {fmt.number(outlook['reach_points'], decimals)} điểm, "
                    f"khoảng hạng {fmt.number(outlook['reach_rank'])}"
                    + (f", xếp loại {outlook['reach_band'].lower()} (trong tầm tay)" if outlook.get("reach_band") else "") + ".")
    if outlook.get("next_band"):
        text.append(f"Xếp loại kế tiếp: {outlook['next_band'].lower()}, từ {fmt.number_auto(outlook['next_band_points'])} điểm "
                    f"(còn thiếu {fmt.number(max(outlook['next_band_points'] - outlook['points'], 0), decimals)} điểm).")
    return text


CSV_COLUMNS = ["item", "name", "kind", "action", "current", "needed", "peer_median", "index_gain_points", "index_gain",
               "points_if_fixed", "rank_if_fixed", "band_if_fixed"]


def csv_frame(actions: pd.DataFrame) -> pd.DataFrame:
    """``actions.csv``: item, kind, current, needed, index gain and rank if fixed (values as the scorecard shows them)."""
    out = []
    for r in actions.to_dict("records") if len(actions) else []:
        r = {k: (None if _missing(v) else v) for k, v in r.items()}
        out.append({
            "item": r["item"], "name": r["name"], "kind": compute.KIND_LABELS[r["kind"]], "action": action_text(r),
            "current": current_text(r), "needed": needed_text(r), "peer_median": peer_text(r),
            "index_gain_points": r.get("gain_points"), "index_gain": r.get("gain"),
            "points_if_fixed": r.get("points_if_fixed"), "rank_if_fixed": r.get("rank_if_fixed"),
            "band_if_fixed": r.get("band_if_fixed") or "",
        })
    frame = pd.DataFrame(out, columns=CSV_COLUMNS)
    for column in ("index_gain_points", "points_if_fixed"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").round(2)
    frame["index_gain"] = pd.to_numeric(frame["index_gain"], errors="coerce").round(4)
    frame["rank_if_fixed"] = pd.array(frame["rank_if_fixed"], dtype="Int64")
    return frame


ANNEX_SHEET = "ViecCanLam"


def annex_frame(per_unit: dict[str, pd.DataFrame], names: dict[str, str]) -> pd.DataFrame:
    """Every unit's actions in one sheet of the annex, Vietnamese headers, gains as numbers."""
    parts = []
    for unit, actions in per_unit.items():
        frame = csv_frame(actions)
        if frame.empty:
            continue
        frame.insert(0, "Thứ tự", range(1, len(frame) + 1))
        frame.insert(0, "Đơn vị", names.get(unit, unit))
        frame.insert(0, "Mã đơn vị", unit)
        parts.append(frame)
    columns = {"item": "Mã mục", "name": "Mục", "kind": "Loại việc", "action": "Việc cần làm", "current": "Hiện nay",
               "needed": "Cần đạt", "peer_median": "Trung vị nhóm", "index_gain_points": "Điểm tăng",
               "index_gain": "Chỉ số tăng (0–1)", "points_if_fixed": "Điểm nếu làm được", "rank_if_fixed": "Hạng nếu làm được",
               "band_if_fixed": "Xếp loại nếu làm được"}
    if not parts:
        out = pd.DataFrame(columns=["Mã đơn vị", "Đơn vị", "Thứ tự", *columns.values()])
    else:
        out = pd.concat(parts, ignore_index=True).rename(columns=columns)
    out.attrs["points"] = ["Điểm tăng", "Điểm nếu làm được"]  # the annex shows them to 2 decimals
    return out

"""The files of a new city, commented, for ``dxreport new-city CODE``.

Every file is valid as written, so ``sample``, ``check-config`` and ``run``
work at once on a small example (the city itself, its Department of Science
and Technology and two communes, three indicators, two targets); what only
the office knows is marked ``(điền …)`` and ``check-config`` lists it until it
is filled. The comments are the reference for each key (Vietnamese, for the
office's analysts); the guide is docs/thanh-pho-moi.md.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from dxreport.domain import paths
from dxreport.domain.config import LOCALITY_WORDS
from dxreport.domain.errors import ConfigError, UsageError
from dxreport.domain.periods import Period, PeriodError

CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _kind_of(name: str) -> str:
    return "province" if name.lower().startswith("tỉnh") else "city"


def _short(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh ", "TP. "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def files(code: str, name: str | None, period: Period) -> dict[str, str]:
    """Relative path → text of every file a new city needs."""
    placeholder = name is None
    name = name or f"Tỉnh (điền tên tỉnh hoặc thành phố, mã {code})"
    kind = _kind_of(name)
    short = _short(name) if not placeholder else "(điền tên ngắn)"
    word = LOCALITY_WORDS[kind]
    top = code.upper().replace("-", "")
    first = period.shift(-6)
    _, cut = _window(period)
    report_day = cut + timedelta(days=20)
    parent = f"UBND {word.upper()} {short.upper()}" if not placeholder else "UBND (điền tên tỉnh, thành phố)"
    framework_id = f"{code}-dvi-xa"
    return {
        f"data/cities/{code}/city.yaml": f"""\
# Cấu hình của {name}. Mỗi khóa được giải thích ở dòng chú thích bên cạnh; xem hướng dẫn docs/thanh-pho-moi.md.
# Kiểm tra sau mỗi lần sửa: dxreport check-config {code}
code: {code}                          # mã, trùng tên thư mục data/cities/{code}
kind: {kind}                     # city: thành phố trực thuộc trung ương; province: tỉnh
name: {name}
short_name: {short}
place: {short}                       # địa danh ở dòng ngày tháng (NĐ 30/2020: tên gọi chính thức, đủ tên nếu đặt theo tên người)
issuing_body_parent: {parent}   # cơ quan chủ quản, dòng trên của tên cơ quan ban hành
issuing_body: SỞ KHOA HỌC VÀ CÔNG NGHỆ     # cơ quan ban hành báo cáo
issuing_body_short: SKHCN            # chữ viết tắt trong số, ký hiệu: …/BC-SKHCN
signer_title: GIÁM ĐỐC               # chức vụ người ký
signer_name: ""                      # họ tên người ký; để trống khi còn là dự thảo
steering_body: Ban Chỉ đạo phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số {word}
recipients:                          # Nơi nhận, theo thứ tự; dòng cuối "Lưu: VT, <đơn vị soạn thảo>"
  - Ban Chỉ đạo phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số {word} (để báo cáo)
  - Bộ Khoa học và Công nghệ (để báo cáo)
  - Chủ tịch, các Phó Chủ tịch UBND {word}
  - Các sở, ban, ngành; UBND các xã, phường
  - "Lưu: VT, SKHCN"
cutoff:                              # kỳ số liệu, NĐ 09/2019/NĐ-CP điều 12: từ ngày 15 tháng trước quý đến ngày 14 tháng cuối quý
  start_day: 15
  months_before: 1
submission_deadline_days: 5          # số ngày đơn vị được gửi sau ngày chốt số liệu
first_period: {first.id}                # kỳ đầu tiên các đơn vị báo cáo; trước kỳ này phiếu đơn vị ghi "Chưa bắt đầu báo cáo"
submissions: data/sample/{code}      # thư mục chứa tệp số liệu các đơn vị gửi (nay: dữ liệu mẫu, tạo bằng dxreport sample)
database: build/{code}.duckdb        # kho số liệu (DuckDB)
sample_data: true                    # true: số liệu mẫu, mọi trang báo cáo ghi DỮ LIỆU MẪU; đổi thành false khi dùng số liệu thật
index_frameworks: []                 # bộ chỉ số đánh giá các đơn vị (data/frameworks/<mã>.yaml), ví dụ [{framework_id}]; [] nếu chưa có
""",
        f"data/cities/{code}/units.csv": _csv([
            ["code", "name", "kind", "parent", "valid_from", "valid_to"],
            [top, name, kind, "", "", ""],
            ["SKHCN", "Sở Khoa học và Công nghệ", "department", top, "", ""],
            ["X-MOT", "Xã (điền tên xã thứ nhất)", "commune", top, "2025-07-01", ""],
            ["X-HAI", "Xã (điền tên xã thứ hai)", "commune", top, "2025-07-01", ""],
        ]),
        f"data/cities/{code}/indicators.yaml": """\
# Danh mục số liệu các đơn vị báo cáo hằng quý: mỗi chỉ tiêu là một dòng của biểu mẫu Excel.
# kind: count (số nguyên ≥ 0), share (tỷ lệ 0..1, đơn vị tính "%"), yesno (1 = có, 0 = chưa),
#       index (chỉ số 0..1, hiện 4 chữ số thập phân, đơn vị tính "chỉ số").
# reported_by: các loại đơn vị (department, ward, commune, special_zone…) hoặc mã đơn vị báo cáo chỉ tiêu này.
# not_above: chỉ tiêu chặn trên (tử số không vượt mẫu số), dùng để phát hiện số liệu sai.
indicators:
  - {code: HS_TONG, name: "Tổng số hồ sơ thủ tục hành chính tiếp nhận trong kỳ", unit_of_measure: hồ sơ, kind: count, reported_by: [department, commune]}
  - {code: HS_TT, name: "Số hồ sơ thủ tục hành chính tiếp nhận và xử lý trực tuyến", unit_of_measure: hồ sơ, kind: count, reported_by: [department, commune], not_above: HS_TONG}
  - {code: DAU_MOI, name: "Có bộ phận hoặc cán bộ đầu mối về chuyển đổi số (1 = có; 0 = chưa)", unit_of_measure: "", kind: yesno, reported_by: [department, commune]}
  # Ví dụ chỉ tiêu dạng chỉ số (0..1):
  # - {code: DTI_XA, name: "Chỉ số chuyển đổi số cấp xã tự đánh giá", unit_of_measure: chỉ số, kind: index, reported_by: [commune]}
""",
        f"data/cities/{code}/programme.yaml": f"""\
# Các chỉ tiêu chuyển đổi số {word} theo dõi (theo kế hoạch, nghị quyết đã ban hành).
# measure.kind: value (giá trị một đơn vị báo cáo), ratio (tổng tử số ÷ tổng mẫu số của các đơn vị),
#               share_of_units (tỷ lệ đơn vị trả lời 1 cho một chỉ tiêu có/không).
# Tỷ lệ ghi dạng số thập phân: 0.35 là 35%. direction: increase (càng cao càng tốt) hoặc decrease.
# baseline: giá trị cơ sở và ngày của nó; target: mục tiêu phải đạt trước deadline.
# responsible: mã đơn vị chủ trì (trong units.csv); source: văn bản giao chỉ tiêu.
code: CDS-{top}
name: Chỉ tiêu chuyển đổi số {word} {short}
targets:
  - code: CT01
    name: Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận và xử lý trực tuyến
    pillar: CQS                      # CQS: chính quyền số; KTS: kinh tế số; XHS: xã hội số
    measure: {{kind: ratio, numerator: HS_TT, denominator: HS_TONG}}
    unit_of_measure: "%"
    baseline: {{value: 0.50, date: 2024-12-31, note: "(điền nguồn giá trị cơ sở)"}}
    target: 0.80
    deadline: 2030-12-31
    direction: increase
    responsible: SKHCN
    source: {{document: "Kế hoạch số (điền số)/KH-UBND", issued: "(điền ngày ban hành)"}}
  - code: CT02
    name: Tỷ lệ cơ quan, đơn vị có bộ phận hoặc cán bộ đầu mối về chuyển đổi số
    pillar: CQS
    measure: {{kind: share_of_units, indicator: DAU_MOI}}
    unit_of_measure: "%"
    baseline: {{value: 0.60, date: 2024-12-31, note: "(điền nguồn giá trị cơ sở)"}}
    target: 1.0
    deadline: 2026-12-31
    direction: increase
    responsible: SKHCN
    source: {{document: "Kế hoạch số (điền số)/KH-UBND", issued: "(điền ngày ban hành)"}}
""",
        f"data/cities/{code}/succession.csv": "predecessor,successor,date,kind\n",
        f"data/cities/{code}/sample.yaml": f"""\
# Cách lệnh `dxreport sample --city {code}` tạo tệp số liệu mẫu (DỮ LIỆU MẪU) từ cấu hình này.
# Mọi khóa đều không bắt buộc: không ghi thì tỷ lệ đi theo lộ trình của chỉ tiêu từ giá trị cơ sở,
# số lượng lấy theo cỡ thường gặp của từng loại đơn vị. Cùng tệp cấu hình, cùng hạt giống: cùng từng byte.
seed: 20260930
periods: {first.id}:{period.id}
missing_last_period: []              # mã các đơn vị chưa gửi kỳ cuối (để thử báo cáo chất lượng số liệu)
# levels: {{HS_TT: [0.60, 0.75]}}     # mức chung của tỷ lệ ở kỳ đầu và kỳ cuối
# sizes: {{HS_TONG: {{department: 2000, commune: 800}}}}
""",
        f"data/frameworks/{framework_id}.yaml": f"""\
# Ví dụ bộ chỉ số đánh giá chuyển đổi số của các xã, phường ({name}). Chưa dùng: thêm '{framework_id}'
# vào index_frameworks trong data/cities/{code}/city.yaml khi bộ chỉ số đã được điền theo quyết định ban hành.
# Điểm các chỉ số thành phần phải cộng đúng điểm chỉ số chính, điểm các chỉ số chính cộng đúng tổng điểm.
id: {framework_id}
name: "Chỉ số chuyển đổi số của các xã, phường {word} {short}"
decision: "(điền số quyết định ban hành bộ chỉ số)"
used_for: "Xếp hạng hằng quý các xã, phường"
audience: [ward, commune]
groups:
  hoat_dong: "Hoạt động chính quyền số"
  nen_tang: "Nền tảng"
total: {{code: DVI, name: "Chỉ số chuyển đổi số đơn vị", points: 100, basis: indices}}
indices:
  - code: DVC
    name: "Dịch vụ công trực tuyến"
    group: hoat_dong
    points: 70
    components:
      - code: DVC_HS
        name: "Tỷ lệ hồ sơ được tiếp nhận và xử lý trực tuyến"
        points: 70
        rule: linear                 # 0 điểm ở 0%, đủ điểm từ 'target' trở lên
        target: 0.9
        input: {{numerator: HS_TT, denominator: HS_TONG}}
  - code: NTS
    name: "Nhận thức và tổ chức"
    group: nen_tang
    points: 30
    components:
      - code: NT_DAUMOI
        name: "Có bộ phận hoặc cán bộ đầu mối về chuyển đổi số"
        points: 30
        rule: yesno
        input: {{indicator: DAU_MOI}}
""",
        f"params/{code}-{period.id}.yaml": f"""\
# Báo cáo {fmt_period(period)} của {name}. Khóa không ghi ở đây lấy từ data/cities/{code}/city.yaml.
city: {code}
period: {period.id}
report_date: {report_day.isoformat()}
document_number: ""            # số văn bản; để trống khi còn là dự thảo (mọi trang ghi DỰ THẢO)
""",
        f"params/{code}-{period.id}.text.md": f"""\
<!-- Nội dung do chuyên viên viết cho báo cáo {fmt_period(period)} của {name}. Mỗi mục bắt đầu bằng '## <số La Mã>. …'; -->
<!-- mục II, III, IV do bảng số liệu tự lập. [[…]] đánh dấu chỗ chưa viết: bản dự thảo hiện nổi bật, -->
<!-- báo cáo chính thức (có số văn bản) không dựng được khi còn chỗ này. -->

## I. Công tác chỉ đạo, điều hành

[[Các văn bản chỉ đạo, kế hoạch đã ban hành trong kỳ; các cuộc họp của Ban Chỉ đạo]]

## V. Tồn tại, hạn chế và nguyên nhân

[[Nguyên nhân của các chỉ tiêu chậm tiến độ]]

## VI. Nhiệm vụ, giải pháp quý tới

- Đôn đốc các đơn vị gửi số liệu đúng hạn.
- [[Nhiệm vụ trọng tâm khác của {fmt_period(period.next).lower()}]]

## VII. Đề xuất, kiến nghị

- [[Đề xuất với Ủy ban nhân dân {word}]]
""",
    }


def _csv(rows: list[list[str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def fmt_period(period: Period) -> str:
    from dxreport.domain.fmt import period_label

    return period_label(period)


def _window(period: Period) -> tuple[date, date]:
    from dxreport.domain.periods import CutoffRule

    return CutoffRule(15, 1).window(period)


def default_period(today: date | None = None) -> Period:
    """The last quarter that has ended: the one an office reports on now."""
    today = today or date.today()
    current = Period(today.year, "quarter", (today.month - 1) // 3 + 1)
    return current.previous


def write(root: Path, code: str, name: str | None = None, period: str | None = None) -> list[Path]:
    """Write the skeleton of city ``code``; never overwrites a file."""
    if not CODE.match(code):
        raise UsageError(f"mã '{code}' không hợp lệ: chỉ gồm chữ thường không dấu, chữ số và '-', ví dụ ma-tinh")
    try:
        p = Period.parse(period) if period else default_period()
    except PeriodError as e:
        raise ConfigError("--period", None, str(e)) from None
    if p.kind != "quarter":
        raise UsageError(f"kỳ '{p.id}' phải là một quý, ví dụ 2026-Q3")
    if (paths.city_dir(root, code)).exists():
        raise UsageError(f"thư mục data/cities/{code} đã có; bộ khung không ghi đè cấu hình đã có")
    texts = files(code, name, p)
    existing = [rel for rel in texts if (root / rel).exists()]
    if existing:
        raise UsageError(f"tệp {existing[0]} đã có; bộ khung không ghi đè")
    written = []
    for rel, text in texts.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

"""The page reader's parts: what counts as visible text, and each detector catching a bad
sample while passing a good one."""

from __future__ import annotations

import pytest

from tests.page_text.reading import (
    Allowed,
    Finding,
    Fragment,
    english_runs,
    fen_amounts,
    findings,
    identifiers,
    python_values,
    raw_codes,
    visible_text,
)

NOBODY = Allowed()


def texts(html: str) -> list[str]:
    return [f.text for f in visible_text(html)]


# --- visible text ---------------------------------------------------------------------------


def test_scripts_styles_and_most_attributes_are_not_read() -> None:
    html = (
        "<html><head><title>考核</title><style>.a_b{color:red}</style></head>"
        "<body><script>var net_gmv = {'a': None};</script>"
        '<div data-x="hire_date" class="x_y" hidden>正文</div>'
        '<input type="hidden" name="lock_version" value="not_graded">'
        '<input type="text" name="q" value="buyer_paid_fen"></body></html>'
    )
    assert texts(html) == ["考核", "正文"]


def test_form_values_and_verbatim_files_are_not_read() -> None:
    html = (
        '<textarea name="rubric" placeholder="每行一项">product_knowledge | 产品知识</textarea>'
        '<pre translate="no"># Units: money in fen\nfrom_fen = 0<b>x</b></pre><p>方案</p>'
    )
    assert texts(html) == ["每行一项", "方案"]


def test_shown_attributes_and_button_values_are_read() -> None:
    html = (
        '<a href="/x" title="提示">链接</a><input placeholder="搜索" aria-label="工号">'
        '<img alt="图表"><input type="submit" value="保存">'
    )
    assert texts(html) == ["提示", "链接", "搜索", "工号", "图表", "保存"]


def test_inline_elements_join_and_blocks_separate() -> None:
    html = (
        "<p><a>Open</a> the <b>file</b> now</p><p>next</p>"
        "<select><option>A</option><option>B</option></select>"
    )
    assert texts(html) == ["Open the file now", "next", "A", "B"]


def test_a_cell_carries_its_column_header_and_row_header() -> None:
    html = (
        "<table><thead><tr><th>工号</th><th colspan=2>GMV</th></tr></thead>"
        "<tbody><tr><td>E1001</td><td>1</td><td><span>2</span></td></tr>"
        "<tr><th>合计</th><td>3</td></tr></tbody></table>"
    )
    cells = {f.text: f.label for f in visible_text(html)}
    assert cells["E1001"] == "工号"
    assert cells["2"] == "GMV"
    assert cells["3"] == "GMV 合计"  # the second column, in the row headed 合计


def test_a_header_row_without_thead_and_a_definition_list() -> None:
    html = (
        "<table><tr><th>应发</th></tr><tr><td>100</td></tr></table>"
        "<dl><dt>佣金</dt><dd><strong>5</strong></dd></dl>"
    )
    labels = {f.text: f.label for f in visible_text(html)}
    assert labels["100"] == "应发"
    assert labels["5"] == "佣金"


# --- identifier -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "全部数据 buyer_paid_fen",
        "hire_date",
        "系数: not_graded",
        "格式 douyin_compass",
        "targets.senior 1",
    ],
)
def test_identifier_catches_code_names(text: str) -> None:
    assert [f.kind for f in identifiers(Fragment(text), NOBODY)] == ["identifier"]


@pytest.mark.parametrize(
    "text",
    [
        "下载 2026Q3_E1001.pdf",
        "抖音直播明细_2026Q2_补充导出.csv 已导入",
        "见 https://example.com/a_b?sort=net_gmv",
        "联系 hr_team@example.com",
        "路径 /imports/batches/1_2",
        "e.g. the hrapp demo",
        "E1001_A 与 Q3_2026",
        "抖音 · 直播场次 12",
    ],
)
def test_identifier_passes_file_names_addresses_and_words(text: str) -> None:
    assert identifiers(Fragment(text), NOBODY) == []


def test_identifier_allow_list() -> None:
    assert identifiers(Fragment("账号 streamer_a"), Allowed(frozenset({"streamer_a"}))) == []


def test_a_file_column_name_passes_only_in_code() -> None:
    allowed = Allowed(columns=frozenset({"employee_no", "started_at"}))
    in_code = visible_text("<p>第一行为列名：<code>employee_no, module_code</code>。</p>")
    assert [f.snippet for f in findings(in_code, "zh_CN", allowed)] == [
        "第一行为列名：employee_no, [module_code]。"
    ]
    as_a_label = visible_text("<dt>started_at</dt><dd>2026年9月3日</dd>")
    assert [f.kind for f in findings(as_a_label, "zh_CN", allowed)] == ["identifier"]


# --- python ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "passed: False → True",
        "None",
        "{'level': 'senior'}",
        "['a', 'b']",
        '{"k": 1}',
        "<hrapp.streamers.models.Streamer object at 0x7f>",
        "Decimal('0.05')",
        "datetime.date(2026, 1, 1)",
    ],
)
def test_python_catches_printed_values(text: str) -> None:
    assert python_values(Fragment(text))
    assert {f.kind for f in python_values(Fragment(text))} == {"python"}


@pytest.mark.parametrize(
    "text", ["通过：是 → 否", "Adjustments: None.", "None of the sessions", "TrueType 字体", "无"]
)
def test_python_passes_words(text: str) -> None:
    assert python_values(Fragment(text)) == []


# --- fen ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fragment",
    [
        Fragment("refunds_fen"),
        Fragment("in fen"),
        Fragment("目标 GMV 150000000 → 200000000"),
        Fragment("¥150000000"),
        Fragment("佣金：1500000.00"),
        Fragment("应发 150000000元"),
        Fragment("Commission 150000000"),
        Fragment("150000000", label="应发金额"),
        Fragment("1500000.00", label="Commission"),
    ],
)
def test_fen_catches_fen_figures_shown_as_money(fragment: Fragment) -> None:
    assert [f.kind for f in fen_amounts(fragment)] == ["fen"]


@pytest.mark.parametrize(
    "fragment",
    [
        Fragment("目标 GMV ¥1,500,000.00 → ¥2,000,000.00"),
        Fragment("¥1,500,000.00", label="应发金额"),
        Fragment("1500000", label="观看人数"),  # a count, not money
        Fragment("0439563", label="账号ID"),
        Fragment("以元为单位，例如 1200000、1,200,000.50 或 120万。"),  # what to type
        Fragment("本季度 GMV ¥9,999.00，观看 123456 次"),
    ],
)
def test_fen_passes_formatted_money_and_other_numbers(fragment: Fragment) -> None:
    assert fen_amounts(fragment) == []


# --- code -----------------------------------------------------------------------------------

CODES = Allowed(
    words=frozenset({"admin"}),
    columns=frozenset({"platform"}),
    codes=frozenset({"assistant", "douyin", "admin", "live practice", "platform"}),
)


@pytest.mark.parametrize(
    "text", ["目标值: assistant", "平台 douyin", "类别：live practice", "级别 assistant→senior"]
)
def test_code_catches_codes_shown_raw(text: str) -> None:
    assert [f.kind for f in raw_codes(Fragment(text), CODES)] == ["code"]


@pytest.mark.parametrize(
    "text",
    [
        "目标值: 助理主播",
        "抖音 · douyin_compass.csv",  # a file name
        "管理员 admin",  # a username, though also a role's code
        "assistants 与 douyinx",  # longer words
        "导入 https://example.com/douyin",
        "格式：hrapp session douyin 模板",  # a word of an English phrase
    ],
)
def test_code_passes_labels_names_and_longer_words(text: str) -> None:
    assert raw_codes(Fragment(text), CODES) == []


def test_code_passes_a_file_column_in_code_and_is_read_only_on_chinese_pages() -> None:
    assert findings(visible_text("<p>列 <code>platform</code></p>"), "zh_CN", CODES) == []
    assert findings([Fragment("assistant")], "en", CODES) == []


# --- english --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "avg watch seconds unknown in 1 of 106 sessions",
        "数据不完整：Not enough hours to grade",
        "Default scheme for new streamers",
    ],
)
def test_english_catches_sentences(text: str) -> None:
    assert [f.kind for f in english_runs(Fragment(text), NOBODY)] == ["english"]


@pytest.mark.parametrize(
    "text",
    [
        "TikTok Shop 直播间 GMV 与佣金",
        "下载 appraisal.report.of.the.quarter.csv",
        "English",
        "本季度 GMV per hour 目标",
        "Big Room Live Sales 直播",  # a nickname the data holds (allowed below)
    ],
)
def test_english_passes_names_and_short_phrases(text: str) -> None:
    allowed = Allowed(frozenset({"Big Room Live Sales"}))
    assert english_runs(Fragment(text), allowed) == []


def test_english_passes_a_file_s_column_names_in_code_only() -> None:
    allowed = Allowed(columns=frozenset({"name", "level", "category", "team", "hire_date"}))
    html = "<p>包含以下列：<code>name, level, category, team, hire_date</code>。</p>"
    assert findings(visible_text(html), "zh_CN", allowed) == []
    as_text = [Fragment("包含以下列：name, level, category, team")]
    assert [f.kind for f in findings(as_text, "zh_CN", allowed)] == ["english"]


def test_english_is_read_only_on_chinese_pages() -> None:
    sentence = [Fragment("Appraisal of the quarter")]
    assert findings(sentence, "en", NOBODY) == []
    assert findings(sentence, "zh_CN", NOBODY) == [Finding("english", "Appraisal of the quarter")]


def test_findings_name_each_snippet_once() -> None:
    page = visible_text("<td>hire_date</td><td>hire_date</td>")
    assert findings(page, "en", NOBODY) == [Finding("identifier", "[hire_date]")]

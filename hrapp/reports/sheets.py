"""考核表: one appraisal as a printed sheet, from the view model every page reads.

`sheet_html(sheet, lang)` fills `templates/reports/sheet.html` with the view model of
`hrapp.appraisals.sheet.appraisal_sheet` in the sheet's language (Chinese unless English is
asked for, whatever the reader's own language: the sheet is a document of the agency);
`appraisal_pdf` renders one through `hrapp.reports.pdf.render_pdf`. Bulk rendering
(`hrapp.reports.bulk`) uses the same two steps in worker processes.

The template is rendered from the Jinja environment directly, not through `render_template`:
no request, logged-in user or navigation belongs on a sheet, and worker processes have none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from hrapp.appraisals.closing_forms import KIND_LABELS
from hrapp.appraisals.models import Appraisal
from hrapp.appraisals.sheet import CRITERION_LABELS, appraisal_sheet, metric_labels
from hrapp.core.db import utcnow
from hrapp.core.errors import DomainError
from hrapp.reports.charts import weekly_trend_chart
from hrapp.reports.pdf import RenderTimeout, render_pdf
from hrapp.web import localtime_filter

LOCALES = {"zh": "zh_CN", "en": "en"}
HTML_LANGS = {"zh": "zh-CN", "en": "en"}
DEFAULT_LANG = "zh"
TEMPLATE = "reports/sheet.html"
STYLESHEETS = ("css/sheet.css",)
WEEKLY_CHART = "weekly.svg"
# 指标定义: how each metric is computed, in words a streamer can check against the figures.
METRIC_DEFINITIONS = {
    "net_gmv": _l(
        "GMV minus every refund known at the latest import, of the sessions starting in the "
        "quarter, by host share"
    ),
    "avg_watch_seconds": _l(
        "Total watch time divided by views (viewers where a platform gives no views)"
    ),
    "net_followers": _l("New followers minus unfollows, by host share, in whole people"),
    "on_air_hours": _l("End minus start of each session, in full for every host"),
    "conversion": _l("Buyers divided by viewers"),
    "refund_rate": _l("Refunds divided by GMV"),
    "gmv_per_hour": _l("GMV divided by on-air hours"),
}
UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
MAX_NAME_CHARS = 40


class SheetTooSlow(DomainError):
    """A sheet's rendering reached its time limit."""

    status_code = 422


def sheet_language(value: str | None) -> str:
    """`zh` or `en`; anything else (or nothing) is the default, Chinese."""
    return value if value in LOCALES else DEFAULT_LANG


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string for a <style> element: quotes, backslashes, angle brackets
    and control characters escaped, so that no text can end the string or the element."""
    escaped = "".join(
        ch if ch.isprintable() and ch not in '"\\<>' else f"\\{ord(ch):x} " for ch in text
    )
    return Markup(f'"{escaped}"')  # noqa: S704 - every special character is escaped above


def page_counter_css() -> Markup:
    """`第 x 页，共 y 页` / `Page x of y` as CSS content with the page counters in place."""
    words = _("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    before, rest = words.split("\x00", 1)
    middle, after = rest.split("\x01", 1)
    return Markup(  # noqa: S704 - the strings are escaped by css_string
        f"{css_string(before)} counter(page) {css_string(middle)} counter(pages) "
        f"{css_string(after)}"
    )


def adjustment_kind(line: dict[str, Any]) -> str:
    """The kind an adjustment line is labelled by (a settlement is a clawback or a top-up)."""
    if line["kind"] == "settlement":
        return "clawback" if line["amount_fen"] < 0 else "top_up"
    return str(line["kind"])


def grade_factor(sheet: dict[str, Any]) -> str | None:
    """绩效系数: the grade's commission multiplier."""
    for multiplier in (sheet.get("commission") or {}).get("multipliers", []):
        if multiplier.get("kind") == "grade":
            return str(multiplier["factor"])
    return None


@dataclass(frozen=True)
class SheetDocument:
    """What `render_pdf` needs for one sheet: the HTML and the chart it links."""

    html: str
    generated: dict[str, bytes]

    def pdf(self, timeout: float | None) -> bytes:
        return render_pdf(
            self.html, timeout=timeout, stylesheets=STYLESHEETS, generated=self.generated
        )


def sheet_html(sheet: dict[str, Any], lang: str = DEFAULT_LANG, generated_at: Any = None) -> str:
    return sheet_document(sheet, lang, generated_at).html


def sheet_document(
    sheet: dict[str, Any], lang: str = DEFAULT_LANG, generated_at: Any = None
) -> SheetDocument:
    """The sheet in `lang` (zh or en); `generated_at` (UTC, default now) is printed in the
    footer of every page. The weekly chart is the SVG the HR page shows, linked as an image:
    WeasyPrint then reads it as SVG alone, without laying its hundreds of elements out as part
    of the page."""
    with force_locale(LOCALES[lang]):
        footer = _(
            "%(org)s · %(employee_no)s %(name)s · %(cycle)s · generated %(when)s",
            org=current_app.config["ORG_NAME"],
            employee_no=sheet["streamer"]["employee_no"],
            name=sheet["streamer"]["name"],
            cycle=sheet["cycle"]["code"],
            when=localtime_filter(generated_at or utcnow()),
        )
        chart = weekly_trend_chart(sheet["weekly"], sheet["cycle"]["starts_on"], for_print=True)
        template = current_app.jinja_env.get_template(TEMPLATE)
        html = template.render(
            s=sheet,
            html_lang=HTML_LANGS[lang],
            org_name=current_app.config["ORG_NAME"],
            footer_css=css_string(footer),
            page_css=page_counter_css(),
            metric_labels=metric_labels(),
            criterion_labels=CRITERION_LABELS,
            definitions={key: str(text) for key, text in METRIC_DEFINITIONS.items()},
            kind_labels=KIND_LABELS,
            adjustment_kind=adjustment_kind,
            grade_factor=grade_factor(sheet),
            weekly_chart_url=f"/generated/{WEEKLY_CHART}",
        )
    return SheetDocument(html, {WEEKLY_CHART: str(chart).encode()})


def sheet_filename(sheet: dict[str, Any]) -> str:
    """`2026Q3_E1001_<name>.pdf`: characters no file system takes become `_`."""
    name = UNSAFE_IN_NAMES.sub("_", sheet["streamer"]["name"]).strip(" .")[:MAX_NAME_CHARS]
    employee_no = UNSAFE_IN_NAMES.sub("_", sheet["streamer"]["employee_no"])
    return f"{sheet['cycle']['code']}_{employee_no}_{name or '_'}.pdf"


def render_timeout() -> float:
    return float(current_app.config.get("SHEET_RENDER_TIMEOUT", 30))


def too_slow(employee_no: str, seconds: float) -> SheetTooSlow:
    return SheetTooSlow(
        _(
            "The sheet of %(employee_no)s was stopped after %(seconds)s seconds: it is too long "
            "to print. A very long comment or reason is the usual cause; shorten it and try "
            "again.",
            employee_no=employee_no,
            seconds=f"{seconds:g}",
        )
    )


def sheet_pdf(sheet: dict[str, Any], lang: str = DEFAULT_LANG) -> bytes:
    """The PDF of one view model; SheetTooSlow when it reaches the time limit."""
    document = sheet_document(sheet, lang)
    try:
        return document.pdf(render_timeout())
    except RenderTimeout as exc:
        raise too_slow(sheet["streamer"]["employee_no"], exc.seconds) from None


def appraisal_pdf(appraisal: Appraisal, lang: str = DEFAULT_LANG) -> tuple[str, bytes]:
    """(file name, PDF) of one appraisal's sheet."""
    with force_locale(LOCALES[lang]):  # reasons and other words of the view model too
        sheet = appraisal_sheet(appraisal)
    return sheet_filename(sheet), sheet_pdf(sheet, lang)

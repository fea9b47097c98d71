"""Reading a page as its reader does: the visible text, and the detectors of words that were
never meant for a reader.

`visible_text(html)` keeps what a person sees or hears: the text of the elements and the
attributes a browser shows (title, placeholder, alt, aria-label, a submit button's value). It
leaves out <script> and <style>, form values (other attributes, <textarea> content: what the
reader typed or will edit, like an <input>'s value) and verbatim files, which a template marks
with HTML's `translate="no"` (a scheme's TOML shown as it is stored). Text is cut into
fragments at every element that is not inline, so that "net_gmv" in one table cell and
"¥1,200.00" in the next are read apart. A fragment in a table cell carries its column header
(and row header), one in a <dd> its <dt>: the label the money detector reads. It also carries
the words it shows in <code>: literal text such as an import file's column names.

The detectors (`findings(fragments, language, allowed)`) and what exactly each flags:

- identifier: a snake_case token (`hire_date`, `buyer_paid_fen`, `not_graded`) or a dotted key
  (`targets.senior`): lower-case letters and digits joined by `_` or `.`. URLs, e-mail
  addresses and file names (`2026Q3_E1001.pdf`) are taken out first. Not flagged: the
  allow-listed `Allowed.words` (usernames, say), and an import file's column name
  (`Allowed.columns`) written in <code>, where a reader learns what to type in a file.
- python: a Python value printed as such: a standalone `True`, `False` or `None` (but not the
  English "None." or "None of …"), or `{'`, `['`, `{"`, `<hrapp.`, `Decimal(`, `datetime.`,
  ` at 0x`.
- fen: the word `fen` or a `_fen` suffix anywhere; and a figure that looks like fen shown as
  money: a "bare figure" (six or more digits without thousands separators, `150000000`)
  that is a money cell's whole text (its column or row header or <dt> names money), or that
  is written right after a money sign or word or right before 元 (`¥150000000`,
  `GMV 150000000`, `佣金：150000000`, `150000000元`). Money words: ¥, 元, GMV, 佣金, 提成, 金额,
  成交, 退款, 奖金, 工资/薪, 收入, 投流, commission, pay(able), paid, amount, refund(s), bonus,
  salary, income, spend. Money on a page is `|money` ("¥1,500,000.00"), never bare digits; an
  example of what to type ("以元为单位，例如 1200000") is not money shown.
- code (Chinese pages only): a stored code shown as it is stored, where its label belongs: a
  whole word (or phrase) that is a code of one of the app's label tables (`Allowed.codes`:
  `assistant`, `douyin`, `streamer`, `scripting`, `live practice`, `open`…), lower case, not
  inside a longer word and not next to another English word (a phrase is the english
  detector's). Usernames (`Allowed.words`) are exempt, even when one is also a code
  (the demo's "admin"), and so is a file column name in <code>, as above. English pages are
  not read for this: "senior" or "open" is English there.
- english (Chinese pages only): four or more English words in a row (letters only, separated
  by spaces or light punctuation, no Chinese or digits between) once the allow-listed names are
  taken out: product and platform names (`ENGLISH_NAMES`), file names, `Allowed.words` and an
  import file's column names in <code>.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements that do not end a run of text: "<a>Open</a> the <b>file</b>" reads as one phrase.
INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "label"}
    | {"mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"}
    | {"wbr"}
)
# Elements whose content is not read: code, style, and a form's value.
NOT_READ = frozenset({"script", "style", "textarea"})
SHOWN_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")
BUTTON_INPUTS = frozenset({"submit", "button", "reset"})
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
LITERAL_TOKEN = re.compile(r"[A-Za-z0-9_.]+")


@dataclass(frozen=True)
class Fragment:
    text: str
    label: str = ""  # column and row header, or <dt>, of the cell this text is in
    literals: frozenset[str] = frozenset()  # the words it shows in <code>


@dataclass(frozen=True)
class Finding:
    kind: str  # identifier | python | fen | code | english
    snippet: str


@dataclass
class _Table:
    headers: dict[int, str] = field(default_factory=dict)
    column: int = 0
    row_header: str = ""
    row_has_data: bool = False
    first_row: bool = True
    in_head: bool = False
    cell: tuple[str, int, int] | None = None  # (th|td, first column, span)
    cell_text: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fragments: list[Fragment] = []
        self._text: list[str] = []
        self._literals: set[str] = set()
        self._skipping: list[str] = []  # open elements inside one whose content is not read
        self._tables: list[_Table] = []
        self._dts: list[str] = []  # the last <dt> of each open <dl>
        self._in_dt = False
        self._dt_text: list[str] = []
        self._in_dd = 0
        self._code: list[list[str]] = []  # the text of each open <code>

    # --- the current label --------------------------------------------------------------------

    def _label(self) -> str:
        parts: list[str] = []
        if self._tables and self._tables[-1].cell is not None:
            table = self._tables[-1]
            kind, first, span = table.cell
            if kind == "td":
                parts += [table.headers.get(c, "") for c in range(first, first + span)]
                parts.append(table.row_header)
        if self._in_dd and self._dts:
            parts.append(self._dts[-1])
        return " ".join(p for p in parts if p)

    def _flush(self) -> None:
        text = _squeeze("".join(self._text))
        if text:
            self.fragments.append(Fragment(text, self._label(), frozenset(self._literals)))
        self._text, self._literals = [], set()

    # --- parsing --------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self._skipping:
            if tag not in VOID:
                self._skipping.append(tag)
            return
        if tag not in INLINE:
            self._flush()
        if tag not in ("script", "style"):
            self._shown_attributes(tag, attributes)
        if tag in NOT_READ or (attributes.get("translate") or "").lower() == "no":
            if tag not in VOID:
                self._skipping.append(tag)
            return
        if tag == "table":
            self._tables.append(_Table())
        elif self._tables:
            self._table_start(tag, attributes)
        if tag == "dl":
            self._dts.append("")
        elif tag == "dt":
            self._in_dt, self._dt_text = True, []
        elif tag == "dd":
            self._in_dd += 1
        elif tag == "code":
            self._code.append([])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag in self._skipping:
                while self._skipping.pop() != tag:
                    pass
            return
        if tag not in INLINE:
            self._flush()
        if tag == "table" and self._tables:
            self._tables.pop()
        elif self._tables:
            self._table_end(tag)
        if tag == "dl" and self._dts:
            self._dts.pop()
        elif tag == "dt" and self._in_dt:
            self._in_dt = False
            if self._dts:
                self._dts[-1] = _squeeze("".join(self._dt_text))
        elif tag == "dd" and self._in_dd:
            self._in_dd -= 1
        elif tag == "code" and self._code:
            self._literals.update(LITERAL_TOKEN.findall("".join(self._code.pop())))

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        self._text.append(data)
        if self._tables and self._tables[-1].cell is not None:
            self._tables[-1].cell_text.append(data)
        if self._in_dt:
            self._dt_text.append(data)
        for code in self._code:
            code.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    # --- what a browser shows of attributes -----------------------------------------------------

    def _shown_attributes(self, tag: str, attrs: dict[str, str | None]) -> None:
        shown = [attrs.get(name) for name in SHOWN_ATTRIBUTES]
        if tag == "input" and (attrs.get("type") or "").lower() in BUTTON_INPUTS:
            shown.append(attrs.get("value"))
        for value in shown:
            text = _squeeze(value or "")
            if text:
                self.fragments.append(Fragment(text, self._label()))

    # --- tables: which header a cell is under ---------------------------------------------------

    def _table_start(self, tag: str, attrs: dict[str, str | None]) -> None:
        table = self._tables[-1]
        if tag == "thead":
            table.in_head = True
        elif tag == "tr":
            table.column, table.row_header, table.row_has_data = 0, "", False
        elif tag in ("th", "td"):
            span = attrs.get("colspan") or "1"
            table.cell = (tag, table.column, int(span) if span.isdigit() else 1)
            table.cell_text = []
            table.row_has_data |= tag == "td"

    def _table_end(self, tag: str) -> None:
        table = self._tables[-1]
        if tag == "thead":
            table.in_head = False
        elif tag == "tr":
            table.first_row = False
        elif tag in ("th", "td") and table.cell is not None:
            kind, first, span = table.cell
            text = _squeeze("".join(table.cell_text))
            if kind == "th":
                if table.in_head or (table.first_row and not table.row_has_data):
                    for column in range(first, first + span):
                        table.headers[column] = text
                else:
                    table.row_header = text
            table.column = first + span
            table.cell, table.cell_text = None, []


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def visible_text(html: str) -> list[Fragment]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.fragments


# --- the detectors ------------------------------------------------------------------------------

# Product, platform and other names that are English in Chinese too.
ENGLISH_NAMES = ("TikTok Shop", "TikTok", "GMV", "English", "hrapp")

URL = re.compile(r"(?:https?://|www\.)\S+|(?<![^\s(（])/[\w/.%?=&#~-]+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
FILE_NAME = re.compile(
    r"[^\s/\\:*?\"<>|，。；：、（）()]+\.(?:csv|xlsx|xls|pdf|toml|json|txt|zip|png|jpe?g|html?)"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
DOMAIN = re.compile(r"(?<![\w.])[\w-]+(?:\.[\w-]+)*\.(?:com|cn|net|org|io)(?![\w.])")

_NOT_BEFORE = r"(?<![A-Za-z0-9_.@/\\-])"
_NOT_AFTER = r"(?![A-Za-z0-9_@/\\-]|\.[A-Za-z0-9])"
IDENTIFIER = re.compile(
    rf"{_NOT_BEFORE}[a-z][a-z0-9]*(?:_[a-z0-9]+)+{_NOT_AFTER}"  # snake_case
    rf"|{_NOT_BEFORE}[a-z][a-z0-9_]+(?:\.[a-z][a-z0-9_]+)+{_NOT_AFTER}"  # dotted.key
)
# "None." ends an English sentence and "None of …" starts one; a printed value is neither.
PYTHON_WORD = re.compile(r"(?<![A-Za-z0-9_])(?:True|False|None)(?![A-Za-z0-9_])(?!\.(?!\w)| [a-z])")
PYTHON_MARKS = ("{'", "['", '{"', "<hrapp.", "Decimal(", "datetime.", " at 0x")
FEN_WORD = re.compile(r"(?<![A-Za-z])fen(?![A-Za-z])|_fen(?![A-Za-z])")
_BARE = r"(?<![A-Za-z0-9_.,，])[-−]?\d{6,}(?:\.\d+)?(?![A-Za-z0-9_,，]|\.\d)"
_MONEY_WORDS = (
    r"GMV|佣金|提成|金额|成交|退款|奖金|工资|薪|收入|投流"
    r"|(?<![A-Za-z])(?:commission|pay|payable|paid|amount|refunds?|bonus|salary|income|spend)"
    r"(?![A-Za-z])"
)
MONEY_LABEL = re.compile(rf"[¥￥元]|{_MONEY_WORDS}", re.IGNORECASE)
MONEY_CELL = re.compile(rf"[¥￥]?\s*{_BARE}\s*元?")
MONEY_FIGURE = re.compile(
    rf"(?:[¥￥]|(?:{_MONEY_WORDS})\s*[:：]?)\s*({_BARE})|({_BARE})\s*元", re.IGNORECASE
)
ENGLISH_RUN_WORDS = 4
WORD = r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*"
ENGLISH_RUN = re.compile(rf"{WORD}(?:[ \t,.;:!?()\"“”/&+-]+{WORD}){{{ENGLISH_RUN_WORDS - 1},}}")


@dataclass(frozen=True)
class Allowed:
    """What a page may show as it is: `words` (usernames and such) anywhere, `columns` (an
    import file's column names) in <code>; and `codes`, the stored codes that a Chinese page
    must show through their labels."""

    words: frozenset[str] = frozenset()
    columns: frozenset[str] = frozenset()
    codes: frozenset[str] = frozenset()


def _without_addresses(text: str) -> str:
    """The text with URLs, e-mail addresses, file names and domains blanked out."""
    for pattern in (URL, EMAIL, FILE_NAME, DOMAIN):
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text


def _around(text: str, start: int, end: int, width: int = 30) -> str:
    """The match in brackets with some of the text around it."""
    before = ("…" if start > width else "") + text[max(0, start - width) : start]
    after = text[end : end + width] + ("…" if end + width < len(text) else "")
    return f"{before}[{text[start:end]}]{after}"


def identifiers(fragment: Fragment, allowed: Allowed) -> list[Finding]:
    text = _without_addresses(fragment.text)
    return [
        Finding("identifier", _around(fragment.text, m.start(), m.end()))
        for m in IDENTIFIER.finditer(text)
        if m.group() not in allowed.words
        and not (m.group() in allowed.columns and m.group() in fragment.literals)
    ]


def python_values(fragment: Fragment) -> list[Finding]:
    text = fragment.text
    found = [
        Finding("python", _around(text, m.start(), m.end())) for m in PYTHON_WORD.finditer(text)
    ]
    for mark in PYTHON_MARKS:
        at = text.find(mark)
        if at >= 0:
            found.append(Finding("python", _around(text, at, at + len(mark))))
    return found


def fen_amounts(fragment: Fragment) -> list[Finding]:
    text = fragment.text
    found = [Finding("fen", _around(text, m.start(), m.end())) for m in FEN_WORD.finditer(text)]
    figures = []
    for m in MONEY_FIGURE.finditer(_without_addresses(text)):
        group = 1 if m.group(1) is not None else 2
        figures.append(Finding("fen", _around(text, m.start(group), m.end(group))))
    if not figures and MONEY_LABEL.search(fragment.label) and MONEY_CELL.fullmatch(text):
        figures.append(Finding("fen", f"[{text}] under {fragment.label!r}"))
    return found + figures


def raw_codes(fragment: Fragment, allowed: Allowed) -> list[Finding]:
    text = _without_addresses(fragment.text)
    found = []
    for m in _codes_pattern(allowed.codes - allowed.words).finditer(text):
        code = m.group()
        if (code in allowed.columns and code in fragment.literals) or _in_english(
            text, m.start(), m.end()
        ):
            continue  # a file's column name in <code>, or a word of an English phrase
        found.append(Finding("code", _around(fragment.text, m.start(), m.end())))
    return found


@functools.cache
def _codes_pattern(codes: frozenset[str]) -> re.Pattern[str]:
    """Any of the codes as a whole word, the longest first ("live practice" before "live")."""
    alternatives = "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_.-])(?:{alternatives or '(?!)'})(?![A-Za-z0-9_-]|\.\w)")


def _in_english(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] has an English word right before or after it (spaces between)."""
    before, after = text[:start].rstrip(" "), text[end:].lstrip(" ")
    return (before[-1:].isascii() and before[-1:].isalpha()) or (
        after[:1].isascii() and after[:1].isalpha()
    )


def english_runs(fragment: Fragment, allowed: Allowed) -> list[Finding]:
    text = _without_addresses(fragment.text)
    columns = allowed.columns & fragment.literals  # a file's column names, taught in <code>
    for name in sorted({*ENGLISH_NAMES, *allowed.words, *columns}, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", " | ", text)
    return [Finding("english", m.group()) for m in ENGLISH_RUN.finditer(text)]


def findings(fragments: Iterable[Fragment], language: str, allowed: Allowed) -> list[Finding]:
    """Every finding of every detector on these fragments; `language` is "zh_CN" or "en"."""
    found: list[Finding] = []
    for fragment in fragments:
        found += identifiers(fragment, allowed)
        found += python_values(fragment)
        found += fen_amounts(fragment)
        if language.startswith("zh"):
            found += raw_codes(fragment, allowed)
            found += english_runs(fragment, allowed)
    return list(dict.fromkeys(found))  # each once, in page order

"""One intake for every upload: readers, limits, problems, batches and column mappings.

Every uploaded file — session lists, the roster, training records — is read here or behind
the same pieces:

- `sniff`: what a file is by its content (XLSX or CSV text; old .xls, UTF-16, web pages and
  renamed files refused with advice), encodings (UTF-8 first, then GB18030; UTF-16 by BOM where
  the reader decodes whole text), and the workbook guard every XLSX passes before a reader
  opens it.
- `xlsx_guard`: whether calamine (fast, Rust) may read a workbook safely and to exactly the
  texts openpyxl would give; otherwise openpyxl (through defusedxml) reads it.
- `xlsx_sheets`: the worksheets of a guarded workbook, read by calamine or openpyxl
  (`read_workbook`), for the session exports and `read_table` alike.
- `limits`: the one set of limits (upload size, rows per sheet, how far a workbook may unpack,
  how many rows are searched for the header, how many problems a report keeps).
- `problems`: the one `Problem` type (row, column, value, a message id with parameters) and
  `ImportFileError` for a file that cannot be used at all. Messages are data
  (`hrapp.core.message_data`); they are worded in the reader's language at the edge.
- `table`: `read_table(path_or_bytes, filename=…, max_rows=…)` → `SheetRow`s, the reader of
  the roster and training imports.
- `headers`: header normalisation (spaces, case, full-width forms, a leading 直播间) and the
  header synonyms of domain.md.

These modules import neither Flask nor SQLAlchemy (a test checks). Column mappings
(`mappings`) and batch history (`batch_model`, the table; `batches`, its services) sit beside
them and may, as do the web flow the roster's and training's imports share (`flow`, with its
`forms`; their background job is `batch_jobs`): each feature describes its kind there.

Where the session profiles live: they stay in `hrapp.live_sessions.parsing.profiles`, with the
session list readers built on them (chunked CSV, calamine/openpyxl XLSX, the per-session
workbook). A profile is knowledge of one feature (which export column feeds which session field,
in which unit, and its name in the reader's language), and the intake is a lower floor that
never imports features. The session readers use the intake's sniffing, limits, problem type and
header rules, so there is still one of each; the profiles use the intake's synonyms.
"""

from .headers import ACCOUNT_SPELLINGS, SYNONYMS, header_key, normalize_header, synonyms
from .limits import MAX_PROBLEMS, MAX_ROWS, MAX_UPLOAD_BYTES
from .problems import ImportFileError, Problem, ProblemLog, Severity
from .sniff import check_workbook_archive, decode_text, detect_container
from .table import SheetRow, cell_text, read_table

__all__ = [
    "ACCOUNT_SPELLINGS",
    "MAX_PROBLEMS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "SYNONYMS",
    "ImportFileError",
    "Problem",
    "ProblemLog",
    "Severity",
    "SheetRow",
    "cell_text",
    "check_workbook_archive",
    "decode_text",
    "detect_container",
    "header_key",
    "normalize_header",
    "read_table",
    "synonyms",
]

"""Messages as data: stored English sentences become message ids with parameters.

Whatever was stored for later display as an English sentence (scoring's reasons in appraisal
explanations, audit summaries, job titles) is rewritten as ``{"id": msgid, "params": {...}}``
(hrapp/core/messages.py), so that each reader sees it in their own language. A sentence this
migration does not recognise is kept as it is: it is shown as written.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 00:10:00

"""

import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    _scoring_reasons(connection)
    # Audit summaries, job titles, level-change reasons: text columns become JSON ones.
    _audit_columns_to_json_before()
    _audit_and_jobs(connection)
    _audit_columns_to_json_after()
    _import_problems(connection)


def downgrade():
    pass


def _scoring_reasons(connection) -> None:
    """Appraisal explanations: not-graded and data-incomplete reasons.

    Scoring's reasons become the codes with facts the scoring library now writes (documented
    with `scoring.appraise.appraise`; worded by hrapp/appraisals/reasons.py), in the appraisals'
    explanations and in the explanations kept by finalized revisions (the same facts, kept in
    the form every reader can word). The old sentences, exactly as scoring wrote them:
        "on air 12.50 h, below 30 h"
            -> {"code": "below_min_hours", "hours": 12.5, "threshold": 30}
        "score unknown: net_gmv, avg_watch_seconds unknown"
            -> {"code": "score_unknown", "metrics": ["net_gmv", "avg_watch_seconds"]}
        "avg_watch_seconds unknown in 1 of 106 sessions" ("on-air time (no end time, no
        duration)" for on-air time)
            -> {"code": "unknown_in_sessions", "figure": "avg_watch_seconds", "missing": 1,
                "sessions": 106}
    A sentence of any other form, or naming a figure or metric scoring never named, is kept.
    A commission multiplier's "reason" sentence is dropped: its kind and facts are kept and
    worded when shown.
    """
    appraisals = sa.table(
        "appraisals", sa.column("id", sa.Integer), sa.column("explanation", sa.JSON)
    )
    revisions = sa.table(
        "appraisal_revisions", sa.column("id", sa.Integer), sa.column("snapshot", sa.JSON)
    )
    explanation, snapshot = appraisals.c.explanation, revisions.c.snapshot
    _rewrite_each(
        connection, appraisals, explanation, _reasons_as_codes, _mentions_old_reason(explanation)
    )
    _rewrite_each(
        connection,
        revisions,
        snapshot,
        _snapshot_reasons_as_codes,
        _mentions_old_reason(snapshot),
    )


_BATCH = 500
# Scoring's old sentences, exactly as it wrote them.
_OLD_BELOW_MIN_HOURS = r"on air (\d+\.\d\d) h, below (\d+(?:\.\d+)?) h"
_OLD_SCORE_UNKNOWN = r"score unknown: ([a-z_]+(?:, [a-z_]+)*) unknown"
_OLD_UNKNOWN_IN_SESSIONS = r"(.+) unknown in (\d+) of (\d+) sessions"
_OLD_FIGURES = {
    "on-air time (no end time, no duration)": "on_air_seconds",
    **{
        name: name
        for name in (
            "gmv_fen",
            "refunds_fen",
            "viewers",
            "views",
            "new_followers",
            "unfollows",
            "buyers",
            "orders",
            "avg_watch_seconds",
        )
    },
}
_METRICS = {
    "net_gmv",
    "avg_watch_seconds",
    "net_followers",
    "on_air_hours",
    "conversion",
    "refund_rate",
    "gmv_per_hour",
}


def _mentions_old_reason(column):
    """Only rows whose text mentions an old reason can change."""
    text = sa.cast(column, sa.Text)
    return sa.or_(text.like("%unknown%"), text.like("%on air %"), text.like('%"reason"%'))


def _rewrite_each(connection, table, column, rewrite, where) -> None:
    """Rewrite `column` of every row `where` holds, a batch at a time; `rewrite` returns the
    new value, or None to leave the row as it is."""
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values({column.name: sa.bindparam("new_value")})
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, column)
            .where(table.c.id > last, where)
            .order_by(table.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        changed = []
        for row_id, value in rows:
            new_value = rewrite(value)
            if new_value is not None:
                changed.append({"row_id": row_id, "new_value": new_value})
        if changed:
            connection.execute(update, changed)
        last = rows[-1][0]


def _snapshot_reasons_as_codes(snapshot):
    if not isinstance(snapshot, dict):
        return None
    explanation = _reasons_as_codes(snapshot.get("explanation"))
    return None if explanation is None else {**snapshot, "explanation": explanation}


def _reasons_as_codes(explanation):
    """The explanation with its old sentences as codes; None when nothing changes."""
    if not isinstance(explanation, dict):
        return None
    new = dict(explanation)
    reason = explanation.get("not_graded_reason")
    if isinstance(reason, str):
        new["not_graded_reason"] = _not_graded_code(reason) or reason
    reasons = explanation.get("incomplete_reasons")
    if isinstance(reasons, list):
        new["incomplete_reasons"] = [
            (_incomplete_code(item) or item) if isinstance(item, str) else item for item in reasons
        ]
    commission = explanation.get("commission")
    if isinstance(commission, dict) and isinstance(commission.get("multipliers"), list):
        # A multiplier's English "reason" repeated its kind and facts ("grade S", "on air
        # 12.00 h, below the senior minimum of 150 h"): the facts stay, the words go.
        new["commission"] = {
            **commission,
            "multipliers": [
                {k: v for k, v in factor.items() if k != "reason"}
                if isinstance(factor, dict)
                else factor
                for factor in commission["multipliers"]
            ],
        }
    return None if new == explanation else new


def _not_graded_code(sentence):
    hours = re.fullmatch(_OLD_BELOW_MIN_HOURS, sentence)
    if hours:
        threshold = hours[2]
        return {
            "code": "below_min_hours",
            "hours": float(hours[1]),
            "threshold": float(threshold) if "." in threshold else int(threshold),
        }
    unknown = re.fullmatch(_OLD_SCORE_UNKNOWN, sentence)
    if unknown:
        metrics = unknown[1].split(", ")
        if all(metric in _METRICS for metric in metrics):
            return {"code": "score_unknown", "metrics": metrics}
    return None


def _incomplete_code(sentence):
    unknown = re.fullmatch(_OLD_UNKNOWN_IN_SESSIONS, sentence)
    if unknown and unknown[1] in _OLD_FIGURES:
        return {
            "code": "unknown_in_sessions",
            "figure": _OLD_FIGURES[unknown[1]],
            "missing": int(unknown[2]),
            "sessions": int(unknown[3]),
        }
    return None


def _audit_and_jobs(connection) -> None:
    """Audit summaries, job titles and the reasons of the level history.

    Each column is now JSON holding a message, or plain text (what a person wrote, or a sentence
    not recognised here). The sentences the code wrote, in English (its f-strings) or in the
    writer's language (`_()` evaluated at write time, English or Chinese), become the messages
    the code writes now; summaries that only repeated the object's name (now shown, linked, in
    the object column) become empty.
    """
    numbers = connection.execute(sa.text("SELECT id, employee_no FROM streamers")).all()
    streamer_numbers = {row.id: row.employee_no for row in numbers}
    _audit_fill(
        connection,
        "audit_entries",
        "summary",
        ("action", "entity_type", "entity_id"),
        lambda row: _audit_summary(row, streamer_numbers),
    )
    _audit_fill(connection, "jobs", "title", (), lambda row: _audit_job_title(row.title))
    _audit_fill(
        connection, "level_changes", "reason", (), lambda row: _audit_level_reason(row.reason)
    )


# The columns `_audit_and_jobs` turns from text into JSON: a new column is filled, then takes
# the old one's place (the same steps on SQLite, which rebuilds the table, and PostgreSQL).
_AUDIT_JSON_COLUMNS = (("audit_entries", "summary"), ("jobs", "title"), ("level_changes", "reason"))
_AUDIT_BATCH = 1000


def _audit_columns_to_json_before() -> None:
    for table, column in _AUDIT_JSON_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(f"{column}_json", sa.JSON(), nullable=True))


def _audit_columns_to_json_after() -> None:
    for table, column in _AUDIT_JSON_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                f"{column}_json",
                new_column_name=column,
                existing_type=sa.JSON(),
                nullable=False,
            )


def _audit_fill(connection, table, column, others, convert) -> None:
    """Write `convert(row)` of every row into the new JSON column, in batches."""
    names = ", ".join(("id", column, *others))
    target = sa.table(table, sa.column("id", sa.Integer), sa.column(f"{column}_json", sa.JSON))
    statement = (
        sa.update(target)
        .where(target.c.id == sa.bindparam("row_id"))
        .values({f"{column}_json": sa.bindparam("value", type_=sa.JSON)})
    )
    query = f"SELECT {names} FROM {table} ORDER BY id"  # noqa: S608 - names are constants
    rows = connection.execute(sa.text(query)).all()
    for start in range(0, len(rows), _AUDIT_BATCH):
        chunk = rows[start : start + _AUDIT_BATCH]
        connection.execute(statement, [{"row_id": row.id, "value": convert(row)} for row in chunk])


def _message(msgid, **params):
    return {"id": msgid, "params": params}


def _audit_pattern(template):
    """A printf template as a regex: %(name)s any text, %(name)d a whole number."""
    pattern = re.escape(template)
    pattern = re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+?)", pattern)
    pattern = re.sub(r"%\\\((\w+)\\\)d", r"(?P<\1>-?\\d+)", pattern)
    return re.compile(pattern + r"\Z", re.DOTALL)


def _yuan_as_money(text):
    """ "1,234.50" (the old sentences' yuan) as the money parameter, in fen."""
    negative = text.startswith("-")
    whole, _, cents = text.lstrip("-").replace(",", "").partition(".")
    fen = int(whole) * 100 + int((cents + "00")[:2])
    return {"fen": -fen if negative else fen}


def _day(text):
    return {"date": text} if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else text


# Sentences written with an evaluated `_()`: (the msgid then, its Chinese, the msgid now, how a
# parameter is kept now). Numbers (%(n)d) become numbers; the rest stays text unless converted.
_AUDIT_SENTENCES = [
    (
        "A scheduled level change took effect: %(reason)s",
        "预定的级别变动已生效：%(reason)s",
        None,
        {},
    ),
    ("Effective %(date)s.", "自 %(date)s 起生效。", None, {"date": _day}),
    ("Default scheme stored as version 1.", "默认方案已保存为版本 1。", None, {}),
    (
        "Scheme version %(n)d saved (%(count)d changes from version %(old)d).",
        "方案版本 %(n)d 已保存（相对版本 %(old)d 有 %(count)d 处改动）。",
        None,
        {},
    ),
    (
        "Cycle %(code)s exported as CSV (%(n)d appraisals).",
        "考核周期 %(code)s 已导出为 CSV（%(n)d 份考核）。",
        None,
        {},
    ),
    (
        "Cycle %(code)s exported as XLSX (%(n)d appraisals).",
        "考核周期 %(code)s 已导出为 XLSX（%(n)d 份考核）。",
        None,
        {},
    ),
    (
        "Cycle %(code)s created (%(start)s to %(end)s, %(zone)s).",
        "已创建考核周期 %(code)s（%(start)s 至 %(end)s，%(zone)s）。",
        None,
        {"start": _day, "end": _day},
    ),
    (
        "Recomputed in the run of cycle %(code)s.",
        "在考核周期 %(code)s 的运行中重新计算。",
        None,
        {},
    ),
    (
        "Cycle %(code)s run with scheme version %(version)d: %(appraised)d appraised "
        "(%(created)d new, %(updated)d updated, %(changed)d with a new score, grade or "
        "payable, %(kept)d finalized kept), %(not_graded)d not graded, %(incomplete)d with "
        "incomplete data.",
        "周期 %(code)s 按方案版本 %(version)d 运行：考核 %(appraised)d 人（新建 %(created)d，"
        "更新 %(updated)d，其中 %(changed)d 人的分数、等级或应付额有变，保留已定稿 %(kept)d），"
        "不评级 %(not_graded)d 人，数据不完整 %(incomplete)d 人。",
        None,
        {},
    ),
    (
        "Pay adjustment of ¥%(amount)s: %(reason)s",
        "薪酬调整 ¥%(amount)s：%(reason)s",
        "Pay adjustment of %(amount)s: %(reason)s",
        {"amount": _yuan_as_money},
    ),
    (
        "Pay adjustment of ¥%(amount)s removed (it said: %(reason)s)",
        "已删除 ¥%(amount)s 的薪酬调整（原因：%(reason)s）",
        "Pay adjustment of %(amount)s removed (it said: %(reason)s)",
        {"amount": _yuan_as_money},
    ),
    ("Score override cleared: %(reason)s", "已撤销得分调整：%(reason)s", None, {}),
    (
        "Score overridden to %(score)s: %(reason)s",
        "得分调整为 %(score)s：%(reason)s",
        None,
        {},
    ),
    ("Comments saved.", "备注已保存。", None, {}),
    (
        "Cycle %(code)s finalized: %(n)d appraisals locked and kept as revision %(revision)d.",
        "考核周期 %(code)s 已定稿：%(n)d 份考核已锁定，并保存为第 %(revision)d 版。",
        None,
        {},
    ),
    (
        "Cycle %(code)s reopened (%(n)d appraisals back to draft; revision %(revision)d "
        "kept): %(reason)s",
        "考核周期 %(code)s 已重新开放（%(n)d 份考核恢复为草稿；保留第 %(revision)d 版）："
        "%(reason)s",
        None,
        {},
    ),
    (
        "%(file)s rolled back: %(deleted)d sessions removed, %(restored)d restored.",
        "%(file)s 已回滚：删除 %(deleted)d 个场次，恢复 %(restored)d 个场次。",
        None,
        {},
    ),
    (
        "%(file)s refused: %(rows)d rows with errors; nothing was written.",
        "%(file)s 已被拒绝：%(rows)d 行有错误，未写入任何内容。",
        None,
        {},
    ),
    ("Imported %(file)s.", "已导入 %(file)s。", None, {}),
    ("Updated by import batch %(batch)d.", "由导入批次 %(batch)d 更新。", None, {}),
]
_JOB_TITLES = [
    ("Importing %(file)s", "正在导入 %(file)s", None, {}),
    ("Checking %(file)s", "正在检查 %(file)s", None, {}),
    ("Running appraisal cycle %(code)s", "正在运行考核周期 %(code)s", None, {}),
    (
        "What a re-run of cycle %(code)s would change",
        "重新运行周期 %(code)s 将带来的变化",
        None,
        {},
    ),
]
_ROSTER_SUMMARY = (
    "%(file)s: streamers %(c)d created, %(u)d updated, %(n)d unchanged; "
    "accounts %(ac)d created, %(au)d updated, %(an)d unchanged."
)
_ROSTER_COUNTS = [
    _audit_pattern(
        "%(file)s: Streamers: %(c)d created, %(u)d updated, %(n)d unchanged. "
        "Accounts: %(ac)d created, %(au)d updated, %(an)d unchanged."
    ),
    _audit_pattern(
        "%(file)s: 主播：新增 %(c)d，更新 %(u)d，未变 %(n)d。账号：新增 %(ac)d，更新 %(au)d，"
        "未变 %(an)d。"
    ),
]
_ROSTER_REASON = [
    _audit_pattern("Roster import from %(file)s"),
    _audit_pattern("从 %(file)s 导入花名册"),
]
# The demo agency's level history, written by its generator in Chinese.
_DEMO_REASONS = {
    "入职": "Hired",
    "通过培训导师认证，晋升培训导师": "Certified as a training mentor: promoted to training mentor",
    "连续两个季度考核A级以上，晋升资深主播": (
        "Grade A or better two quarters running: promoted to senior streamer"
    ),
    "连续两个季度考核A级以上；新直播间开播后晋升资深主播": (
        "Grade A or better two quarters running; promoted to senior streamer when the new "
        "room opened"
    ),
}


def _compiled(table):
    return [
        (_audit_pattern(template), new or english, converters)
        for english, chinese, new, converters in table
        for template in (english, chinese)
    ]


_AUDIT_MATCHERS = _compiled(_AUDIT_SENTENCES)
_JOB_MATCHERS = _compiled(_JOB_TITLES)


def _recognised(text, matchers):
    """The message of a sentence some matcher recognises, else None."""
    for pattern, msgid, converters in matchers:
        found = pattern.match(text)
        if found is None:
            continue
        params = {}
        for name, value in found.groupdict().items():
            if name in converters:
                params[name] = converters[name](value)
            elif re.search(rf"%\({name}\)d", msgid):
                params[name] = int(value)
            else:
                params[name] = value
        return _message(msgid, **params)
    return None


def _reason(text):
    return _message("Reason: %(reason)s", reason=text) if text else ""


def _audit_summary(row, streamer_numbers):
    """An audit row's summary as the code writes it now (see each `audit.record` call)."""
    text = row.summary or ""
    action = row.action
    if not text:
        return ""
    if action in _AUDIT_NAME_ONLY:
        return ""  # it named the object, which the log now shows by name and links
    if action == "user.password_change" and text == "password changed":
        return ""
    special = _AUDIT_ACTION_SENTENCES.get(action)
    if special is not None:
        found = special(text)
        if found is not None:
            return found
    if action in ("streamer.leave", "streamer.level_change", "streamer.level_scheduled"):
        key = row.entity_id or ""
        number = streamer_numbers.get(int(key)) if key.isdigit() else None
        if number and text.startswith(f"{number} "):
            return ""  # the streamer's name, written when no reason was given
        return _recognised(text, _AUDIT_MATCHERS) or _reason(text)
    return _recognised(text, _AUDIT_MATCHERS) or text


_AUDIT_NAME_ONLY = (
    "streamer.create",
    "streamer.update",
    "streamer.reactivate",
    "account.create",
    "account.link",
    "account.update",
    "account.move",
    "account.unlink",
    "training.module.create",
    "training.module.update",
    "training.record.create",
    "exchange_rate.set",
    "job.submit",  # "kind: title"; the log names the job by its title
)


def _one(pattern, build):
    def convert(text):
        found = re.fullmatch(pattern, text, re.DOTALL)
        return build(found) if found else None

    return convert


def _roster(text):
    for pattern in _ROSTER_COUNTS:
        found = pattern.match(text)
        if found:
            values = found.groupdict()
            return _message(
                _ROSTER_SUMMARY,
                file=values.pop("file"),
                **{name: int(value) for name, value in values.items()},
            )
    return None


_AUDIT_ACTION_SENTENCES = {
    "auth.login_failed": _one(
        r"failed login for (.*)",
        lambda m: _message("Failed login for %(username)s.", username=m[1]),
    ),
    "auth.login_throttled": _one(
        r"login throttled: (.*)",
        lambda m: _message("Login throttled for %(username)s.", username=m[1]),
    ),
    "training.class.create": _one(
        r"\S+ \d{4}-\d{2}-\d{2}: (\d+) attendees",
        lambda m: _message("Attendees: %(n)d", n=int(m[1])),
    ),
    "training.record.correct": _one(r"\S+ \S+ \d{4}-\d{2}-\d{2}: (.*)", lambda m: _reason(m[1])),
    "training.record.void": _one(
        r"\S+ \S+ \d{4}-\d{2}-\d{2} score \S+: (.*)", lambda m: _reason(m[1])
    ),
    "training.curriculum.seed": _one(
        r"default modules added: (.*)",
        lambda m: _message("Default modules added: %(codes)s", codes=m[1].split(", ")),
    ),
    "training.import": _one(
        r"(.*): (\d+) inserted, (\d+) unchanged",
        lambda m: _message(
            "%(file)s: %(inserted)d inserted, %(unchanged)d unchanged.",
            file=m[1],
            inserted=int(m[2]),
            unchanged=int(m[3]),
        ),
    ),
    "promotion.confirm": _one(r"\S+ (.*)", lambda m: _reason(m[1])),
    "roster.import": _roster,
    "demo.load": lambda text: _demo_summary(text),
}


def _demo_summary(text):
    loaded = re.fullmatch(
        r"demo data loaded: (\d+) streamers, (\d+) sessions, (\d+) training records, "
        r"(\d+) logins",
        text,
    )
    if loaded:
        streamers, sessions, training, logins = (int(n) for n in loaded.groups())
        return _message(
            "Demo agency loaded: %(streamers)d streamers, %(sessions)d sessions, "
            "%(training)d training records, %(logins)d logins.",
            streamers=streamers,
            sessions=sessions,
            training=training,
            logins=logins,
        )
    again = re.fullmatch(r"demo data already present: passwords of (\d+) demo logins reset", text)
    if again:
        return _message(
            "Demo agency already loaded: the passwords of %(logins)d demo logins were reset.",
            logins=int(again[1]),
        )
    return None


def _audit_job_title(text):
    text = text or ""
    return _recognised(text, _JOB_MATCHERS) or text


def _audit_level_reason(text):
    """What HR wrote stays text; what an import or the demo wrote becomes a message."""
    text = text or ""
    if text in _DEMO_REASONS:
        return _message(_DEMO_REASONS[text])
    for pattern in _ROSTER_REASON:
        found = pattern.match(text)
        if found:
            return _message("Roster import from %(file)s", file=found["file"])
    return text


def _import_problems(connection) -> None:
    """Session import problems: each stored problem's reason sentence becomes the message the
    code writes now, in import batches' reports and in the results of checking jobs.

    The parser wrote English sentences; the importer's own checks wrote them in the writer's
    language (Chinese for background jobs and the command line), so both are recognised:
        "Not a number." -> {"id": "Not a number.", "params": {}}
        "未知账号 0777001（新人直播间）：请将其关联到主播。"
            -> {"id": "Unknown account %(account)s (%(nickname)s): map it to a streamer.",
                "params": {"account": "0777001", "nickname": "新人直播间"}}
    A sentence of any other form is kept: it is shown as written.
    """
    batches = sa.table("import_batches", sa.column("id", sa.Integer), sa.column("report", sa.JSON))
    _rewrite_each(connection, batches, batches.c.report, _problems_as_messages, sa.true())
    jobs = sa.table(
        "jobs",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("result", sa.JSON),
    )
    _rewrite_each(
        connection, jobs, jobs.c.result, _check_as_messages, jobs.c.kind == "sessions_import"
    )


def _problems_as_messages(problems):
    if not isinstance(problems, list):
        return None
    new = [_problem_as_message(problem) for problem in problems]
    return None if new == problems else new


def _problem_as_message(problem):
    if not isinstance(problem, dict) or not isinstance(problem.get("reason"), str):
        return problem
    reason = _recognised(problem["reason"], _IMPORT_MATCHERS)
    return problem if reason is None else {**problem, "reason": reason}


def _check_as_messages(result):
    """A checking job's stored result: {"payload": …, "outcome": {"check": {"problems": […]}}}."""
    outcome = result.get("outcome") if isinstance(result, dict) else None
    check = outcome.get("check") if isinstance(outcome, dict) else None
    if not isinstance(check, dict):
        return None
    problems = _problems_as_messages(check.get("problems"))
    if problems is None:
        return None
    return {**result, "outcome": {**outcome, "check": {**check, "problems": problems}}}


# The export formats' names as the parser wrote them, by their codes.
_FORMAT_NAMES = {
    "Douyin Compass (电商罗盘) session list": "douyin_compass",
    "Douyin live dashboard (直播大屏) export": "douyin_screen",
    "Taobao Live agency export": "taobao",
    "TikTok Shop LIVE analysis": "tiktok",
    "hrapp session template": "template",
}
_DUPLICATE_KEYS = ("platform session id", "account and start time")


def _format(name):
    code = _FORMAT_NAMES.get(name.strip())
    return {"label": "format", "code": code} if code else name


def _formats(text):
    return [_format(name) for name in text.split("; ")]


def _duplicate_key(text):
    return _message(text) if text in _DUPLICATE_KEYS else text


def _stored_figure(text):
    """A refund figure: yuan ("800.00") became the money parameter, an order count a number."""
    return _yuan_as_money(text) if "." in text else int(text)


# The parser's sentences (English only), each the msgid it is now; a parameter is kept as text
# unless converted (numbers, %(n)d, become numbers).
_PARSER_SENTENCES = [
    "The file could not be decoded.",
    "The file is empty.",
    "This is an old-style .xls workbook (or an encrypted one). Open it in Excel and save it as "
    ".xlsx or CSV (UTF-8), then upload that.",
    "The file is UTF-16 text; this import reads UTF-8, UTF-8 with BOM and GB18030. Save it as "
    "CSV (UTF-8) and upload that.",
    "This is neither an Excel workbook (.xlsx) nor a CSV text file.",
    "This file is a web page or XML, not a real spreadsheet. Open it in Excel and save it as "
    ".xlsx or CSV (UTF-8), then upload that.",
    "“%(file)s” is named like an Excel workbook but its content is text. Upload it with a .csv "
    "name, or save it from Excel as .xlsx.",
    "The workbook is damaged and cannot be opened (%(error)s).",
    "This is a ZIP archive, not an Excel workbook (.xlsx).",
    "The workbook unpacks to an implausible size and was refused. Export the data again or "
    "save it as CSV (UTF-8).",
    "The workbook has no worksheet.",
    "The workbook has more than %(n)s data rows, the most an XLSX import reads. Save the sheet "
    "as CSV (UTF-8) and upload that instead; CSV has no such limit.",
    "The workbook contains XML constructs refused for safety (entities or DTDs).",
    "The workbook is damaged and cannot be read (%(error)s).",
    "The file's text could not be decoded (first bad byte at offset %(offset)s); tried UTF-8, "
    "UTF-8 with BOM and GB18030. Save it as CSV (UTF-8) and upload it again.",
    "This row has %(cells)d cells but the header has %(expected)d; a value may contain an "
    "unquoted comma or the row was cut.",
    "The file does not end with a line break; if the download was cut short, this last row "
    "may be incomplete.",
    "The CSV file is malformed: %(error)s",
    "The column “%(column)s” appears more than once in the header row.",
    "The column “%(column)s” names a currency or unit this import does not know.",
    "The column “%(column)s” does not say its currency; expected e.g. “Revenue ($)”.",
    "This id was turned into a number in scientific notation (Excel?); its digits are lost. "
    "Export the file again without opening it in Excel.",
    "Not a platform name (e.g. douyin, taobao, tiktok).",
    "Unknown currency code (known: %(known)s).",
    "More buyers (%(a)s) than viewers (%(b)s).",
    "More buyers (%(a)s) than orders (%(b)s).",
    "Average online (%(a)s) is above peak online (%(b)s).",
    "More viewers (%(a)s) than views (%(b)s).",
    "Buyer-paid amount (%(a)s) is above GMV (%(b)s).",
    "Refunds (%(a)s) are above GMV (%(b)s).",
    "The session ends before it starts.",
    "The platform is missing.",
    "The account id is missing.",
    "The start time is missing.",
    "Not a duration (expected e.g. 1小时5分3秒, 1h 5min or 01:05:03).",
    "More precise than a millisecond.",
    "A duration cannot be negative.",
    "An empty entry in the host list.",
    "“%(text)s” is not an employee number.",
    "A host is listed twice.",
    "Give a share for every host or for none.",
    "The shares add up to %(total)s%%, not 100%%.",
    "“%(text)s” is not a share in percent (e.g. 60 or 33.33).",
    "“%(text)s” is not a share in percent.",
    "Every host's share must be more than 0%.",
    "A percentage is not allowed here.",
    "Not a number.",
    "Number too large.",
    "A currency symbol is not allowed here.",
    "Not a whole number.",
    "A count cannot be negative.",
    "The symbol %(symbol)s does not match the currency %(currency)s.",
    "%(currency)s amounts have no decimal places.",
    "%(currency)s amounts have at most %(n)d decimal places.",
    "An amount cannot be negative.",
    "Not a date and time (expected e.g. 2026/09/07 08:55:37).",
    "The year is outside %(first)d–%(last)d.",
    "This local time is skipped or repeated in %(zone)s (clock change).",
    "Not a time range (expected e.g. 2026/09/07 08:55:37-2026/09/07 11:02:10).",
]
# Sentences whose words changed, or whose parameters became lists, codes or messages:
# (the sentence then, the msgid now, converters).
_PARSER_REWORDED = [
    (
        "This looks like a %(format)s, but required column(s) are missing: %(missing)s.",
        "This looks like a %(format)s, but required column(s) are missing: %(missing)s.",
        {"format": _format, "missing": lambda text: text.split("、")},
    ),
    (
        "No header row of a known export was found in the first %(n)d rows "
        "(looked for: %(formats)s).",
        "No header row of a known export was found in the first %(n)d rows "
        "(looked for: %(formats)s).",
        {"formats": _formats},
    ),
    (
        "The money columns name different currencies: %(columns)s.",
        "The money columns name different currencies: %(columns)s.",
        {"columns": lambda text: text.split(", ")},
    ),
    (
        "The same session (%(key)s) as rows %(rows)s.",
        "The same session (%(key)s) as rows %(rows)s.",
        {"key": _duplicate_key},
    ),
    (
        "The same session (%(key)s) as row %(rows)s.",
        "The same session (%(key)s) as row %(rows)s.",
        {"key": _duplicate_key},
    ),
]
# The importer's own checks, written in the writer's language: (English, Chinese, converters).
_IMPORTER_SENTENCES = [
    ("Longer than %(limit)d characters.", "超过 %(limit)d 个字符。", {}),
    (
        "Unknown account %(account)s (%(nickname)s): map it to a streamer.",
        "未知账号 %(account)s（%(nickname)s）：请将其关联到主播。",
        {},
    ),
    (
        "Account %(account)s (%(nickname)s) is linked to no streamer: map it to a streamer.",
        "账号 %(account)s（%(nickname)s）未关联任何主播：请将其关联到主播。",
        {},
    ),
    (
        "No exchange rate for %(currency)s in %(month)s: set it on the exchange rates page, "
        "then import again.",
        "没有 %(currency)s 在 %(month)s 的汇率：请在汇率页面设置后重新导入。",
        {},
    ),
    ("No streamer has the employee number %(no)s.", "没有工号为 %(no)s 的主播。", {}),
    ("Row %(row)d is the same stored session.", "与第 %(row)d 行是同一个已存场次。", {}),
    (
        "A stored session of this account starts at the same time under session id %(other)s.",
        "该账号已有一个同一时间开始的场次（场次 ID %(other)s）。",
        {},
    ),
    (
        "Lower than the %(stored)s already stored for this session; refund figures only grow, "
        "so the stored figure is kept.",
        "低于该场次已存的 %(stored)s；退款数据只增不减，因此保留已存数值。",
        {"stored": _stored_figure},
    ),
]


def _import_pattern(template):
    """A sentence's template as a regex; "%%" was written as "%"."""
    return _audit_pattern(template.replace("%%", "%"))


_IMPORT_MATCHERS = (
    [(_import_pattern(msgid), msgid, {}) for msgid in _PARSER_SENTENCES]
    + [(_import_pattern(old), msgid, converters) for old, msgid, converters in _PARSER_REWORDED]
    + [
        (_import_pattern(template), english, converters)
        for english, chinese, converters in _IMPORTER_SENTENCES
        for template in (english, chinese)
    ]
)

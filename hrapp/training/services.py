"""Use cases of the trainer's workspace: curriculum, logging, corrections, status, mentees.

Services validate, change, write the audit record and flush; the caller commits.

Functions other features rely on (stable signatures):

- `training_facts(streamer_ids=None)`: the non-voided records as a pandas DataFrame for the
  scoring library.
- `module_status(streamer, as_of=None)`: per module required for the streamer's next promotion
  step, passed / failed / expired / missing (the rule is `scoring.training`'s).
- `mentee_passes(mentor_streamer_id, as_of=None)`: distinct mentees who passed the scheme's
  mentee module (PRACTICAL-1 by default) while the streamer mentored them.
- `mentee_facts(mentor_ids=None)`: the mentees' records with the mentor of the day each was
  completed on, as a DataFrame (the scoring library's `mentees` input).

Scores are 0–100. A module with a pass mark needs a score and `passed` is computed from it, so
a failed score can never be marked passed; a module without one is passed by attending.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased

from hrapp.appraisals.schemes import active_scheme
from hrapp.appraisals.staleness import inputs_changed
from hrapp.auth.models import Role, User, UserRole
from hrapp.core import audit
from hrapp.core.db import utcnow
from hrapp.core.errors import Conflict, ValidationFailed
from hrapp.core.messages import message
from hrapp.core.timeutil import org_today
from hrapp.extensions import db
from hrapp.streamers.models import Mentorship, Streamer
from hrapp.streamers.teams import sorted_teams
from hrapp.training.curriculum import NEXT_STEP, RUBRIC_MAX
from hrapp.training.models import Module, TrainingClass, TrainingRecord
from hrapp.training.status import PASSED, STATUSES, ModuleStatus, status_of
from scoring.training import Attempt, ModuleRule, counts_as_pass

MAX_SCORE = 100.0
SCORE_TOLERANCE = 0.05  # a typed total may differ from the rubric's by rounding only
IN_CLAUSE_LIMIT = 500  # beyond this many ids, filter in Python rather than bind them all
EXPIRY_WINDOW_DAYS = 30
NO_TEAM = "—"  # the chart's label for streamers in no team
AUDITED_RECORD_FIELDS = ("completed_on", "score", "rubric_scores", "passed", "notes")
REASON_MIN_LENGTH = 5  # of a correction's or a void's reason, spaces around it not counted
# What of a module decides whether it is passed and still valid (`module_rule`).
RULE_FIELDS = {"pass_mark", "validity_months"}
MODULE_FIELDS = (
    "code",
    "title_zh",
    "title_en",
    "topic",
    "hours",
    "pass_mark",
    "validity_months",
    "assessed",
    "rubric",
    "active",
    "position",
)


# --- curriculum -------------------------------------------------------------------------------


def list_modules(*, active_only: bool = False) -> list[Module]:
    query = select(Module).order_by(Module.position, Module.code)
    if active_only:
        query = query.where(Module.active.is_(True))
    return list(db.session.scalars(query))


def module_by_code(code: str) -> Module | None:
    return db.session.scalar(select(Module).where(Module.code == code.strip().upper()))


def _module_problems(values: Mapping[str, Any], module: Module | None) -> list[str]:
    problems = []
    code = values["code"]
    if not code or not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in code):
        problems.append(_("The code may hold only letters, digits and hyphens, e.g. SCRIPT-2."))
    other = module_by_code(code) if code else None
    if module is not None and code != module.code:
        # Promotion rules and imported files name modules by code; a new code is a new module.
        problems.append(_("The code of an existing module cannot change; add a new module."))
    elif other is not None and other is not module:
        problems.append(_("Another module already has the code %(code)s.", code=code))
    if not values["title_zh"].strip() or not values["title_en"].strip():
        problems.append(_("Both the Chinese and the English title are required."))
    if values["hours"] < 0:
        problems.append(_("Hours cannot be negative."))
    if values["pass_mark"] is not None and not 0 <= values["pass_mark"] <= MAX_SCORE:
        problems.append(_("The pass mark must be between 0 and 100."))
    if values["validity_months"] is not None and values["validity_months"] < 1:
        problems.append(_("Validity must be at least one month, or empty for no expiry."))
    keys = [d["key"] for d in values["rubric"]]
    if len(keys) != len(set(keys)):
        problems.append(_("Each rubric dimension needs its own key."))
    if any(not (d["key"] and d["zh"] and d["en"]) for d in values["rubric"]):
        problems.append(_("Each rubric dimension needs a key, a Chinese and an English name."))
    return problems


def _module_values(module: Module) -> dict[str, Any]:
    return {name: getattr(module, name) for name in MODULE_FIELDS}


def save_module(module: Module | None, values: Mapping[str, Any]) -> Module:
    """Create a module (`module` None) or change one; `values` holds every MODULE_FIELDS key."""
    values = {**values, "code": values["code"].strip().upper()}
    values["assessed"] = bool(values["assessed"] or values["pass_mark"] is not None)
    if problems := _module_problems(values, module):
        raise ValidationFailed(" ".join(problems), problems)
    old = _module_values(module) if module is not None else {}
    if module is None:
        module = Module()
        db.session.add(module)
    for name in MODULE_FIELDS:
        setattr(module, name, values[name])
    db.session.flush()
    changes = audit.diff(old, _module_values(module))
    if changes:
        action = "training.module.update" if old else "training.module.create"
        audit.record(action, "training_module", module.id, changes=changes)
    if old and RULE_FIELDS & set(changes):
        # Open quarters' promotion checklists judged it by the old rule; finalized ones keep
        # what they stored (each checklist item records the pass mark and validity it used).
        inputs_changed("module_changed", open_only=True, module=module.code)
    return module


# --- logging records --------------------------------------------------------------------------


@dataclass
class ScoreInput:
    """What a trainer entered for one attempt: a total score, or rubric scores (0–10 each)."""

    score: float | None = None
    rubric_scores: dict[str, float | None] = field(default_factory=dict)


def _score_problems(score: float | None) -> list[str]:
    if score is None:
        return []
    if not math.isfinite(score) or not 0 <= score <= MAX_SCORE:
        return [_("The score must be between 0 and 100.")]
    return []


def _resolve_score(module: Module, entered: ScoreInput) -> tuple[float | None, dict[str, float]]:
    """(score, rubric scores) from what was entered; raises ValidationFailed with every problem.

    Rubric scores, when any is given, must cover every dimension; the score is then their mean
    scaled to 100, and a typed total that disagrees is refused rather than silently replaced.
    """
    given = {k: v for k, v in entered.rubric_scores.items() if v is not None}
    if not given:
        problems = _score_problems(entered.score)
        if module.pass_mark is not None and entered.score is None:
            problems.append(
                _("%(code)s has a pass mark, so a score is required.", code=module.code)
            )
        if problems:
            raise ValidationFailed(" ".join(problems), problems)
        return entered.score, {}
    problems = []
    keys = [d["key"] for d in module.rubric]
    if missing := [d["zh"] for d in module.rubric if d["key"] not in given]:
        problems.append(
            _("Score every rubric dimension; missing: %(names)s.", names="、".join(missing))
        )
    if unknown := sorted(set(given) - set(keys)):
        problems.append(_("Unknown rubric dimension: %(keys)s.", keys=", ".join(unknown)))
    if any(not math.isfinite(v) or not 0 <= v <= RUBRIC_MAX for v in given.values()):
        problems.append(_("Each rubric dimension is scored from 0 to %(max)d.", max=RUBRIC_MAX))
    if problems:
        raise ValidationFailed(" ".join(problems), problems)
    total = round(sum(given.values()) / len(keys) * (MAX_SCORE / RUBRIC_MAX), 1)
    if entered.score is not None and abs(entered.score - total) > SCORE_TOLERANCE:
        message = _(
            "The rubric adds up to %(total)s but the score says %(score)s; leave the score empty "
            "or correct it.",
            total=total,
            score=entered.score,
        )
        raise ValidationFailed(message, [message])
    return total, {k: given[k] for k in keys}


def decide_passed(module: Module, score: float | None) -> bool:
    """Passed from the pass mark when the module has one; otherwise attending is passing."""
    return counts_as_pass(module_rule(module), True, score)


def _date_problems(completed_on: dt.date) -> list[str]:
    if completed_on > org_today():
        return [_("The date %(day)s is in the future.", day=completed_on.isoformat())]
    return []


def existing_record(
    streamer_id: int, module_id: int, completed_on: dt.date
) -> TrainingRecord | None:
    """The non-voided record of this streamer, module and day, if there is one."""
    return db.session.scalar(
        select(TrainingRecord).where(
            TrainingRecord.streamer_id == streamer_id,
            TrainingRecord.module_id == module_id,
            TrainingRecord.completed_on == completed_on,
            TrainingRecord.voided_at.is_(None),
        )
    )


def _trainer_label(trainer: User | None, trainer_name: str) -> str:
    if trainer_name:
        return trainer_name
    return (trainer.display_name or trainer.username) if trainer is not None else ""


def _record_values(record: TrainingRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in AUDITED_RECORD_FIELDS}


def _build_record(
    streamer: Streamer,
    module: Module,
    completed_on: dt.date,
    entered: ScoreInput,
    *,
    notes: str,
    trainer: User | None,
    trainer_name: str,
    by: User | None,
) -> TrainingRecord:
    """A validated, unsaved record; raises ValidationFailed or Conflict."""
    problems = _date_problems(completed_on)
    try:
        score, rubric_scores = _resolve_score(module, entered)
    except ValidationFailed as exc:
        problems += exc.problems
    if problems:
        raise ValidationFailed(" ".join(problems), problems)
    if existing_record(streamer.id, module.id, completed_on) is not None:
        raise Conflict(
            _(
                "%(name)s already has a %(code)s record on %(day)s; correct that record instead.",
                name=streamer.display_name,
                code=module.code,
                day=completed_on.isoformat(),
            )
        )
    return TrainingRecord(
        streamer=streamer,
        module=module,
        completed_on=completed_on,
        score=score,
        rubric_scores=rubric_scores,
        passed=decide_passed(module, score),
        notes=notes.strip(),
        trainer_id=trainer.id if trainer is not None else None,
        trainer_name=_trainer_label(trainer, trainer_name),
        created_by_id=by.id if by is not None else None,
    )


def _add_record(record: TrainingRecord) -> None:
    db.session.add(record)
    inputs_changed("training_changed", first_day=record.completed_on)
    db.session.flush()
    audit.record(
        "training.record.create",
        "training_record",
        record.id,
        changes=audit.diff({}, _record_values(record)),
    )


def log_record(
    streamer: Streamer,
    module: Module,
    completed_on: dt.date,
    entered: ScoreInput,
    *,
    notes: str = "",
    trainer: User | None = None,
    trainer_name: str = "",
    by: User | None = None,
) -> TrainingRecord:
    """Log one streamer's attempt at one module (one record per streamer, module and day)."""
    record = _build_record(
        streamer,
        module,
        completed_on,
        entered,
        notes=notes,
        trainer=trainer,
        trainer_name=trainer_name,
        by=by,
    )
    _add_record(record)
    return record


@dataclass
class Attendee:
    streamer: Streamer
    score: float | None = None
    notes: str = ""


def log_class(
    module: Module,
    held_on: dt.date,
    attendees: list[Attendee],
    *,
    trainer: User | None,
    notes: str = "",
    by: User | None = None,
) -> TrainingClass:
    """Log a class and one record per attendee; any attendee's problem refuses the whole class.

    The problems name the attendee, so the trainer can fix every one of them in one go.
    """
    if not attendees:
        raise ValidationFailed(_("Choose at least one attendee."))
    problems, records = [], []
    for attendee in attendees:
        try:
            records.append(
                _build_record(
                    attendee.streamer,
                    module,
                    held_on,
                    ScoreInput(score=attendee.score),
                    notes=attendee.notes,
                    trainer=trainer,
                    trainer_name="",
                    by=by,
                )
            )
        except (ValidationFailed, Conflict) as exc:
            reasons = getattr(exc, "problems", None) or [exc.message]
            problems += [f"{attendee.streamer.display_name}: {r}" for r in reasons]
    if problems:
        raise ValidationFailed(" ".join(problems), problems)
    training_class = TrainingClass(
        module=module,
        held_on=held_on,
        trainer_id=trainer.id if trainer is not None else None,
        trainer_name=_trainer_label(trainer, ""),
        notes=notes.strip(),
    )
    db.session.add(training_class)
    db.session.flush()
    audit.record(
        "training.class.create",
        "training_class",
        training_class.id,
        summary=message("Attendees: %(n)d", n=len(records)),
    )
    for record in records:
        record.training_class = training_class
        _add_record(record)
    return training_class


def _require_reason(reason: str) -> str:
    """The reason, stripped; one of a letter or two explains nothing to a later reader."""
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationFailed(
            _(
                "Give a reason of at least %(n)d characters; it is kept in the audit log.",
                n=REASON_MIN_LENGTH,
            )
        )
    return reason


def _require_current(record: TrainingRecord) -> None:
    if record.voided_at is not None:
        raise Conflict(_("This record was voided and can no longer change."))


def record_version(record: TrainingRecord) -> str:
    """A token a form carries so that a correction never overwrites someone else's newer one."""
    return record.updated_at.isoformat()


def correct_record(
    record: TrainingRecord,
    *,
    completed_on: dt.date,
    entered: ScoreInput,
    notes: str,
    reason: str,
    version: str | None = None,
) -> TrainingRecord:
    """Change a record's date, score or notes; the reason and old values go to the audit log.

    A wrong streamer or module is not corrected but voided and logged again.
    """
    reason = _require_reason(reason)
    _require_current(record)
    if version is not None and version != record_version(record):
        raise Conflict(_("Someone changed this record meanwhile; reload it and try again."))
    problems = _date_problems(completed_on)
    if problems:
        raise ValidationFailed(" ".join(problems), problems)
    score, rubric_scores = _resolve_score(record.module, entered)
    twin = existing_record(record.streamer_id, record.module_id, completed_on)
    if twin is not None and twin is not record:
        raise Conflict(_("Another record of this module exists on that day; void one of them."))
    old = _record_values(record)
    inputs_changed("training_changed", first_day=min(completed_on, record.completed_on))
    record.completed_on, record.score, record.rubric_scores = completed_on, score, rubric_scores
    record.passed, record.notes = decide_passed(record.module, score), notes.strip()
    changes = audit.diff(old, _record_values(record))
    if not changes:
        raise ValidationFailed(_("Nothing was changed."))
    db.session.flush()
    audit.record(
        "training.record.correct",
        "training_record",
        record.id,
        changes=changes,
        summary=message("Reason: %(reason)s", reason=reason),
    )
    return record


def void_record(record: TrainingRecord, reason: str, *, by: User | None = None) -> TrainingRecord:
    """Take a record out of every count, keeping it and its values visible; needs a reason."""
    reason = _require_reason(reason)
    _require_current(record)
    record.voided_at, record.void_reason = utcnow(), reason
    record.voided_by_id = by.id if by is not None else None
    inputs_changed("training_changed", first_day=record.completed_on)
    db.session.flush()
    audit.record(
        "training.record.void",
        "training_record",
        record.id,
        changes={"voided": [False, True], "void_reason": [None, reason]},
        summary=message("Reason: %(reason)s", reason=reason),
    )
    return record


# --- status, for views and for the appraisal engine ---------------------------------------------


def module_rule(module: Module) -> ModuleRule:
    """The module's pass mark and validity: what decides, on the training pages and in the
    promotion checklist alike, whether it is passed and still valid."""
    return ModuleRule(module.code, module.pass_mark, module.validity_months)


def module_rules() -> dict[str, ModuleRule]:
    """Every module's rule by code, for the scoring library's promotion checklist: the same
    pass marks and validity the training pages judge by."""
    return {m.code: module_rule(m) for m in list_modules()}


def required_codes() -> dict[str, list[str]]:
    """Per promotion step ("assistant->senior"), the modules the active scheme requires for it:
    the scheme decides which modules a step needs, the curriculum how each is passed."""
    _version, scheme = active_scheme()
    return {
        f"{rule.from_level}->{rule.to_level}": [m.code for m in rule.modules]
        for rule in scheme.promotion
    }


def steps_requiring() -> dict[str, list[str]]:
    """Per module code, the promotion steps the active scheme requires it for."""
    steps: dict[str, list[str]] = defaultdict(list)
    for step, codes in required_codes().items():
        for code in codes:
            steps[code].append(step)
    return dict(steps)


def required_modules(step: str) -> list[Module]:
    """The modules the active scheme requires for a promotion step, in curriculum order."""
    codes = set(required_codes().get(step, []))
    return [m for m in list_modules() if m.code in codes]


def _attempts(streamer_ids: Iterable[int] | None) -> dict[tuple[int, int], list[Attempt]]:
    """Non-voided attempts keyed by (streamer id, module id)."""
    query = select(
        TrainingRecord.id,
        TrainingRecord.streamer_id,
        TrainingRecord.module_id,
        TrainingRecord.completed_on,
        TrainingRecord.score,
        TrainingRecord.passed,
    ).where(TrainingRecord.voided_at.is_(None))
    wanted = None if streamer_ids is None else set(streamer_ids)
    if wanted is not None and len(wanted) <= IN_CLAUSE_LIMIT:
        query = query.where(TrainingRecord.streamer_id.in_(wanted))
    found: dict[tuple[int, int], list[Attempt]] = defaultdict(list)
    for rid, sid, mid, day, score, passed in db.session.execute(query):
        if wanted is None or sid in wanted:
            found[(sid, mid)].append(Attempt(day, score, passed, rid))
    return found


ModulesFor = Callable[[Streamer], list[Module]]


def status_matrix(
    streamers: Iterable[Streamer], modules_for: ModulesFor, as_of: dt.date
) -> dict[int, list[ModuleStatus]]:
    """Statuses per streamer id for the modules `modules_for(streamer)` returns."""
    streamers = list(streamers)
    attempts = _attempts([s.id for s in streamers])
    return {
        s.id: [
            status_of(
                module_rule(m), (m.title_zh, m.title_en), attempts.get((s.id, m.id), []), as_of
            )
            for m in modules_for(s)
        ]
        for s in streamers
    }


def next_step(streamer: Streamer) -> str | None:
    return NEXT_STEP.get(streamer.level)


def required_for_streamer() -> ModulesFor:
    """`streamer -> modules required for their next step`, loading the curriculum once."""
    codes = required_codes()
    modules = list_modules()
    by_step = {step: [m for m in modules if m.code in wanted] for step, wanted in codes.items()}
    return lambda streamer: by_step.get(next_step(streamer) or "", [])


def module_status(streamer: Streamer, as_of: dt.date | None = None) -> list[ModuleStatus]:
    """The modules required for `streamer`'s next promotion step and where they stand on each.

    `as_of` defaults to today in the organisation's zone. Mentors (no next step) get [].
    Statuses are passed / failed / expired / missing, decided by `scoring.training`.
    """
    as_of = as_of or org_today()
    return status_matrix([streamer], required_for_streamer(), as_of)[streamer.id]


def all_module_status(streamer: Streamer, as_of: dt.date | None = None) -> list[ModuleStatus]:
    """Every active module's status for one streamer (their full transcript)."""
    modules = list_modules(active_only=True)
    return status_matrix([streamer], lambda _s: modules, as_of or org_today())[streamer.id]


def _frame(rows: list[Any], dtypes: dict[str, str]) -> pd.DataFrame:
    """A DataFrame of query rows with fixed dtypes, so that an empty result has them too."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(dtypes)
    return pd.DataFrame(
        {
            name: pd.Series(list(values), dtype=dtype)
            for (name, dtype), values in zip(dtypes.items(), columns, strict=True)
        }
    )


def training_facts(streamer_ids: list[int] | None = None) -> pd.DataFrame:
    """Non-voided training records as pure data for the scoring library.

    Columns: ``streamer_id`` (int64), ``module_code`` (str), ``completed_on`` (``datetime.date``
    objects), ``score`` (float64, NaN when none was given: modules without a pass mark),
    ``passed`` (bool, as recorded: the score reached the module's pass mark when it had one).
    One row per record (retakes are separate rows), sorted by streamer, module, date and the
    order they were recorded in. `streamer_ids` None means everyone. The scoring library judges
    them by `module_rules()`, as the training pages do.
    """
    query = (
        select(
            TrainingRecord.streamer_id,
            Module.code,
            TrainingRecord.completed_on,
            TrainingRecord.score,
            TrainingRecord.passed,
        )
        .join(Module, Module.id == TrainingRecord.module_id)
        .where(TrainingRecord.voided_at.is_(None))
        # Records of one day in the order they were recorded: the later one is the later attempt.
        .order_by(
            TrainingRecord.streamer_id,
            Module.code,
            TrainingRecord.completed_on,
            TrainingRecord.id,
        )
    )
    if streamer_ids is not None:
        query = query.where(TrainingRecord.streamer_id.in_(streamer_ids))
    return _frame(
        db.session.execute(query).all(),
        {
            "streamer_id": "int64",
            "module_code": "str",
            "completed_on": "object",
            "score": "float64",
            "passed": "bool",
        },
    )


def _mentored_on_the_day() -> ColumnElement[bool]:
    """Joins a training record to the mentorship that covered the day it was completed on."""
    return (
        (Mentorship.mentee_id == TrainingRecord.streamer_id)
        & (Mentorship.started_on <= TrainingRecord.completed_on)
        & (Mentorship.ended_on.is_(None) | (TrainingRecord.completed_on < Mentorship.ended_on))
    )


def mentee_facts(mentor_ids: list[int] | None = None) -> pd.DataFrame:
    """The non-voided training records mentees completed while mentored, with the mentor of
    that day, for scoring.

    Columns: ``mentor_id``, ``mentee_id`` (int64), ``module_code`` (str), ``completed_on``
    (``datetime.date``), ``score`` (float64, NaN when none), ``passed`` (bool), ``mentee_name``
    (str: employee number and legal name, which the promotion checklist lists). `mentor_ids`
    None means every mentor.
    """
    mentee = aliased(Streamer)
    query = (
        select(
            Mentorship.mentor_id,
            TrainingRecord.streamer_id,
            Module.code,
            TrainingRecord.completed_on,
            TrainingRecord.score,
            TrainingRecord.passed,
            mentee.employee_no,
            mentee.legal_name,
        )
        .join(Mentorship, _mentored_on_the_day())
        .join(Module, Module.id == TrainingRecord.module_id)
        .join(mentee, mentee.id == TrainingRecord.streamer_id)
        .where(TrainingRecord.voided_at.is_(None))
        .order_by(Mentorship.mentor_id, TrainingRecord.streamer_id, TrainingRecord.completed_on)
    )
    if mentor_ids is not None:
        query = query.where(Mentorship.mentor_id.in_(mentor_ids))
    rows = [(*row[:6], f"{row[6]} {row[7]}") for row in db.session.execute(query)]
    return _frame(
        rows,
        {
            "mentor_id": "int64",
            "mentee_id": "int64",
            "module_code": "str",
            "completed_on": "object",
            "score": "float64",
            "passed": "bool",
            "mentee_name": "str",
        },
    )


def mentees(mentor: Streamer) -> list[Streamer]:
    return list(
        db.session.scalars(
            select(Streamer).where(Streamer.mentor_id == mentor.id).order_by(Streamer.employee_no)
        )
    )


def mentee_module() -> Module | None:
    """The module whose passes by a mentor's mentees count for the mentor's promotion: the
    active scheme's (PRACTICAL-1 by default); None when no step counts mentees."""
    _version, scheme = active_scheme()
    code = next((rule.mentee_module for rule in scheme.promotion if rule.mentee_module), None)
    return None if code is None else module_by_code(code)


def mentee_passes(mentor_streamer_id: int, as_of: dt.date | None = None) -> int:
    """How many distinct mentees passed the mentee module (`mentee_module`) while this
    streamer mentored them — what the promotion checklist's mentees criterion counts.

    A pass is a non-voided record counting as passed under the module's pass mark, completed on
    or before `as_of` (default: any date) on a day the streamer was the mentee's mentor; it
    still counts after the mentee moves to someone else.
    """
    module = mentee_module()
    if module is None:
        return 0
    query = (
        select(TrainingRecord.streamer_id, TrainingRecord.score, TrainingRecord.passed)
        .join(Mentorship, _mentored_on_the_day())
        .where(
            Mentorship.mentor_id == mentor_streamer_id,
            TrainingRecord.module_id == module.id,
            TrainingRecord.voided_at.is_(None),
        )
    )
    if as_of is not None:
        query = query.where(TrainingRecord.completed_on <= as_of)
    rule = module_rule(module)
    return len(
        {
            sid
            for sid, score, passed in db.session.execute(query)
            if counts_as_pass(rule, passed, score)
        }
    )


# --- overviews ------------------------------------------------------------------------------


def active_streamers() -> list[Streamer]:
    return list(
        db.session.scalars(
            select(Streamer).where(Streamer.status == "active").order_by(Streamer.employee_no)
        )
    )


@dataclass(frozen=True)
class Expiring:
    streamer_id: int
    employee_no: str
    name: str
    team: str
    status: ModuleStatus


def expiring_certifications(
    as_of: dt.date | None = None, within_days: int = EXPIRY_WINDOW_DAYS
) -> list[Expiring]:
    """Valid passes of active streamers that lapse within `within_days` days after `as_of`.

    Only the latest valid pass counts, so a renewed certification drops off the list.
    """
    as_of = as_of or org_today()
    horizon = as_of + dt.timedelta(days=within_days)
    expiring_modules = [m for m in list_modules(active_only=True) if m.validity_months]
    streamers = active_streamers()
    matrix = status_matrix(streamers, lambda _s: expiring_modules, as_of)
    found = [
        Expiring(s.id, s.employee_no, s.display_name, s.team, st)
        for s in streamers
        for st in matrix[s.id]
        if st.status == PASSED and st.expires_on is not None and st.expires_on <= horizon
    ]
    return sorted(found, key=lambda e: (e.status.expires_on, e.employee_no))


def completion_by_module(as_of: dt.date | None = None) -> dict[str, dict[str, int]]:
    """Per active module code: how many active streamers are passed / failed / expired / missing."""
    modules = list_modules(active_only=True)
    matrix = status_matrix(active_streamers(), lambda _s: modules, as_of or org_today())
    counts = {m.code: dict.fromkeys(STATUSES, 0) for m in modules}
    for statuses in matrix.values():
        for st in statuses:
            counts[st.code][st.status] += 1
    return counts


def completion_by_team(as_of: dt.date | None = None) -> dict[str, dict[str, int]]:
    """Per team, in counting order (一组, 二组 … 十一组), then streamers in no team (`NO_TEAM`):
    statuses of every member's modules required for their next step."""
    streamers = active_streamers()
    matrix = status_matrix(streamers, required_for_streamer(), as_of or org_today())
    counts: dict[str, dict[str, int]] = {}
    for streamer in streamers:
        team = counts.setdefault(streamer.team or "", dict.fromkeys(STATUSES, 0))
        for st in matrix[streamer.id]:
            team[st.status] += 1
    ordered = {team: counts[team] for team in sorted_teams(counts) if team}
    if "" in counts:  # streamers in no team come last
        ordered[NO_TEAM] = counts[""]
    return ordered


def trainer_accounts() -> list[User]:
    """Active accounts holding the trainer role, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.TRAINER.value, User.active.is_(True))
            .order_by(User.username)
        )
    )


def count_records_since(day: dt.date) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(TrainingRecord)
            .where(TrainingRecord.completed_on >= day, TrainingRecord.voided_at.is_(None))
        )
        or 0
    )

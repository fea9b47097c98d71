"""The demo agency as the page reader walks it: loaded once, plus what its people do on an
ordinary day, through the app, so that every page has something to show (HR: a re-run's
preview job, two uploads waiting to be imported — one with problems — and a check job, a
printed appraisal sheet; the trainer: a class; a streamer: a dispute of their last finalized
quarter), and the ids of it all (`DemoIds`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Flask
from sqlalchemy import func, select

from tests.demo_agency import DEMO_PASSWORD, DemoAgency
from tests.hrapp.live_sessions.builders import TEMPLATE_COLUMNS
from tests.page_text.reading import Allowed
from tests.page_text.walk import DemoIds

PLATFORM_EXPORT = Path(__file__).parents[1] / "data" / "imports" / "douyin_compass_2026-09.csv"
STAFF_LOGINS = {"admin": "admin", "hr": "hr", "trainer": "trainer"}


@dataclass(frozen=True)
class DemoSite:
    app: Flask
    agency: DemoAgency
    ids: DemoIds
    logins: dict[str, str]  # role → username; the streamer is one who mentors others
    allowed: Allowed
    refused: list[str]  # steps of the ordinary day the app refused (a test fails on them)


def build_site(app: Flask, agency: DemoAgency) -> DemoSite:
    """`app`'s database holds the loaded demo agency (`load_demo_agency`)."""
    with app.app_context():
        logins = {**STAFF_LOGINS, "streamer": _a_mentor_login()}
    uploads = _hr_day(app, agency)
    checks = _hr_imports_the_roster_and_training(app)
    _trainer_logs_a_class(app)
    refused = [
        problem
        for step in (_streamer_disputes_a_quarter, _hr_prints_a_sheet)
        if (problem := step(app, agency, logins["streamer"]))
    ]
    with app.app_context():
        ids = collect_ids(uploads, logins["streamer"], checks)
        allowed = _names_in_the_data()
    return DemoSite(app, agency, ids, logins, allowed, refused)


def _logged_in(app: Flask, username: str) -> Any:
    client = app.test_client()
    answer = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 302, f"login as {username} failed"
    return client


# --- what happens on an ordinary day ------------------------------------------------------------


def _hr_day(app: Flask, agency: DemoAgency) -> list[dict[str, Any]]:
    """HR asks what a re-run of the open quarter would change and uploads two files: the
    platform's export and a template with a bad row; a large file's check runs as a job (done
    here for the second). Returns the preview pages' arguments."""
    from hrapp.jobs.services import run, submit
    from hrapp.live_sessions.jobs import KIND, payload, title

    hr = _logged_in(app, "hr")
    ran = hr.post(f"/appraisals/cycles/{agency.last_quarter}/run")
    assert ran.status_code == 302, "HR could not ask for a re-run's preview"
    uploads = [
        _upload(hr, PLATFORM_EXPORT.name, PLATFORM_EXPORT.read_bytes()),
        _upload(hr, "补充场次.csv", _template_with_a_bad_row(app)),
    ]
    with app.app_context():
        from hrapp.auth.models import User
        from hrapp.extensions import db

        hr_user = db.session.scalars(select(User).where(User.username == "hr")).one()
        second = uploads[1]
        options = payload(
            second["sha256"], second["name"], "auto", accept_valid_rows=False, dry_run=True
        )
        job = submit(KIND, title(second["name"], dry_run=True), options, user_id=hr_user.id)
        db.session.commit()
        run(job.id)
        uploads.append({**second, "job": job.id})
        db.session.remove()
    return uploads


def _upload(client: Any, name: str, data: bytes) -> dict[str, Any]:
    answer = client.post(
        "/imports/upload",
        data={"file": (io.BytesIO(data), name), "platform": "auto"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, f"upload of {name}: {answer.status_code}"
    url = urlsplit(answer.headers["Location"])
    sha256 = url.path.rstrip("/").rsplit("/", 1)[-1]
    return {"sha256": sha256, **dict(parse_qsl(url.query))}


def _template_with_a_bad_row(app: Flask) -> bytes:
    """Two evenings of a demo account in hrapp's template; the second has a broken time and
    GMV."""
    from hrapp.extensions import db
    from hrapp.streamers.models import PlatformAccount

    with app.app_context():
        account = db.session.scalars(select(PlatformAccount).order_by(PlatformAccount.id)).first()
        assert account is not None
        platform, account_id, nickname = account.platform, account.account_id, account.nickname
        db.session.remove()
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=TEMPLATE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    row = {
        "platform": platform,
        "account_id": account_id,
        "nickname": nickname or "",
        "started_at": "2026-09-03 19:00:00",
        "ended_at": "2026-09-03 21:30:00",
        "viewers": "1000",
        "views": "1500",
        "buyers": "50",
        "orders": "60",
        "gmv": "10000.00",
        "refunds": "500.00",
    }
    writer.writerow(row)
    writer.writerow({**row, "started_at": "2026-09-31 19:00", "gmv": "一万"})
    return buffer.getvalue().encode("utf-8")


ROSTER_ADDITION = (
    "工号,姓名,艺名,级别,品类,组别,入职日期,平台,账号,昵称\n"
    "E8001,周新人,新人酱,助理主播,美妆,一组,2026-09-01,抖音,80018001,新人的直播间\n"
).encode()


TRAINING_ADDITION = (
    "employee_no,module_code,completed_on,score,trainer\nE1001,FANS-1,2026-10-03,88,李老师\n"
).encode()


def _training_with_bad_rows() -> bytes:
    """Two rows with the same unknown module (one grouped reason) and one unknown employee."""
    return (
        b"employee_no,module_code,completed_on,score\n"
        b"E1001,NOPE-1,2026-09-01,80\nE1002,NOPE-1,2026-09-01,80\nE9999,FANS-1,2026-09-01,80\n"
    )


def _hr_imports_the_roster_and_training(app: Flask) -> dict[str, list[dict[str, Any]]]:
    """HR adds a streamer with a roster file (previewed, confirmed: a roster batch), and a
    training file is refused (a training batch with its report); a check of each kind (a
    second new streamer, one training record) runs as a background job. Returns the checks'
    preview arguments by kind."""
    from hrapp.auth.models import User
    from hrapp.extensions import db
    from hrapp.intake import batches
    from hrapp.jobs.services import run, submit
    from hrapp.streamers import jobs as roster_jobs
    from hrapp.training import jobs as training_jobs
    from hrapp.training.batches import import_training

    hr = _logged_in(app, "hr")
    preview = hr.post(
        "/streamers/import",
        data={"file": (io.BytesIO(ROSTER_ADDITION), "新员工.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    confirm = {
        name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', preview)[1]
        for name in ("token", "fingerprint", "filename")
    }
    assert hr.post("/streamers/import/confirm", data=confirm).status_code == 302
    checks: dict[str, list[dict[str, Any]]] = {}
    with app.app_context():
        hr_user = db.session.scalars(select(User).where(User.username == "hr")).one()
        import_training(_training_with_bad_rows(), "培训记录.csv", user_id=hr_user.id)
        for kind, module, data, name in (
            ("roster", roster_jobs, ROSTER_ADDITION.replace(b"8001", b"8002"), "花名册.csv"),
            ("training", training_jobs, TRAINING_ADDITION, "培训记录.csv"),
        ):
            sha256 = batches.store_upload(kind, data)
            options = module.payload(sha256, name, dry_run=True)
            job = submit(module.KIND, module.title(name, dry_run=True), options, user_id=hr_user.id)
            db.session.commit()
            run(job.id)
            checks[kind] = [{"sha256": sha256, "job": job.id}]
        db.session.remove()
    return checks


def _trainer_logs_a_class(app: Flask) -> None:
    from hrapp.auth.models import User
    from hrapp.extensions import db
    from hrapp.streamers.models import Streamer
    from hrapp.training.models import Module
    from hrapp.training.services import Attendee, log_class

    with app.app_context():
        trainer = db.session.scalars(select(User).where(User.username == "trainer")).one()
        module = db.session.scalars(
            select(Module).where(Module.assessed.is_(True)).order_by(Module.position)
        ).first()
        assert module is not None
        streamers = db.session.scalars(select(Streamer).order_by(Streamer.employee_no).limit(2))
        attendees = [Attendee(s, score=score) for s, score in zip(streamers, (92, 55), strict=True)]
        log_class(module, dt.date(2026, 9, 10), attendees, trainer=trainer, by=trainer)
        db.session.commit()
        db.session.remove()


def _own_appraisal(app: Flask, username: str, code: str) -> tuple[int, str]:
    """(appraisal id, employee number) of this streamer login in the cycle `code`."""
    from hrapp.appraisals.models import Appraisal, AppraisalCycle
    from hrapp.auth.models import User
    from hrapp.extensions import db
    from hrapp.streamers.models import Streamer

    with app.app_context():
        found = db.session.execute(
            select(Appraisal.id, Streamer.employee_no)
            .join(Streamer, Streamer.id == Appraisal.streamer_id)
            .join(User, User.streamer_id == Streamer.id)
            .join(AppraisalCycle, AppraisalCycle.id == Appraisal.cycle_id)
            .where(User.username == username, AppraisalCycle.code == code)
        ).one()
        db.session.remove()
    return found[0], found[1]


def _streamer_disputes_a_quarter(app: Flask, agency: DemoAgency, username: str) -> str:
    """The streamer disputes their last finalized quarter from 我的考核; HR has a thread."""
    appraisal_id, _ = _own_appraisal(app, username, agency.finalized[-1])
    url = f"/me/quarters/{appraisal_id}/dispute"
    answer = _logged_in(app, username).post(
        url, data={"text": "九月有两场直播没有算进开播时长，请核对。", "line": ""}
    )
    return "" if answer.status_code == 302 else f"{username} POST {url}: {answer.status_code}"


def _hr_prints_a_sheet(app: Flask, agency: DemoAgency, username: str) -> str:
    """HR prints the appraisal sheet of one streamer of the last finalized quarter (a job
    whose file the bundle page serves)."""
    _, employee_no = _own_appraisal(app, username, agency.finalized[-1])
    url = f"/appraisals/cycles/{agency.finalized[-1]}/sheets"
    answer = _logged_in(app, "hr").post(url, data={"format": "pdf", "q": employee_no})
    if answer.status_code != 302:
        return f"hr POST {url}: {answer.status_code}"
    return _job_failure(app, answer.headers["Location"])


def _job_failure(app: Flask, job_url: str) -> str:
    """Why the job at /jobs/<id> did not finish ("" when it did)."""
    from hrapp.extensions import db
    from hrapp.jobs.models import Job

    with app.app_context():
        job = db.session.get(Job, int(job_url.rstrip("/").rsplit("/", 1)[-1]))
        failure = "" if job and job.status == "done" else f"{job_url}: {job and job.result}"
        db.session.remove()
    return failure


# --- the ids ------------------------------------------------------------------------------------


def _a_mentor_login() -> str:
    """The login of the first demo streamer who mentors someone (their training page lists
    mentees, and each mentee has a page)."""
    from hrapp.auth.models import User
    from hrapp.extensions import db
    from hrapp.streamers.models import Streamer

    mentors = select(Streamer.mentor_id).where(Streamer.mentor_id.is_not(None))
    return (
        db.session.scalars(
            select(User.username)
            .join(Streamer, Streamer.id == User.streamer_id)
            .where(Streamer.id.in_(mentors))
            .order_by(Streamer.employee_no)
        ).first()
        or ""
    )


def collect_ids(
    uploads: list[dict[str, Any]], streamer_login: str, checks: dict[str, list[dict[str, Any]]]
) -> DemoIds:
    from hrapp.appraisals.jobs import PREVIEW_KIND
    from hrapp.appraisals.models import Appraisal, AppraisalCycle, SchemeVersion
    from hrapp.auth.models import User
    from hrapp.extensions import db
    from hrapp.jobs.models import Job
    from hrapp.portal.models import AppraisalResponse
    from hrapp.reports.jobs import KIND as SHEETS_KIND
    from hrapp.streamers.models import Streamer
    from hrapp.training.models import Module, TrainingClass

    cycles = list(db.session.scalars(select(AppraisalCycle).order_by(AppraisalCycle.code)))
    open_cycle = next(c for c in cycles if c.status != "finalized")
    finalized = [c for c in cycles if c.status == "finalized"]
    login = db.session.scalars(select(User).where(User.username == streamer_login)).one()
    jobs = list(db.session.scalars(select(Job).order_by(Job.id)))
    modules = list(db.session.scalars(select(Module).order_by(Module.position, Module.id)))
    own = select(Appraisal.id).where(
        Appraisal.streamer_id == login.streamer_id,
        Appraisal.cycle_id.in_([c.id for c in finalized]),
    )
    return DemoIds(
        open_cycle=open_cycle.code,
        finalized_cycles=[c.code for c in finalized],
        appraisals=_appraisals(open_cycle, finalized[-1]),
        scheme_versions=list(db.session.scalars(select(SchemeVersion.version).order_by("version"))),
        users=list(
            db.session.scalars(
                select(User.id).where(User.username.in_(["admin", "hr", "trainer", streamer_login]))
            )
        ),
        jobs=[j.id for j in jobs],
        preview_jobs=[
            (open_cycle.code, j.id) for j in jobs if j.kind == PREVIEW_KIND and j.status == "done"
        ],
        batches=_batches("sessions"),
        roster_batches=_batches("roster"),
        training_batches=_batches("training"),
        roster_checks=checks["roster"],
        training_checks=checks["training"],
        uploads=uploads,
        sessions=_sessions(),
        streamers=_streamers(login.streamer_id, finalized[-1]),
        modules=[m.id for m in modules],
        records=_records(),
        classes=list(db.session.scalars(select(TrainingClass.id))),
        mentees=list(
            db.session.scalars(
                select(Streamer.id)
                .where(Streamer.mentor_id == login.streamer_id)
                .order_by(Streamer.employee_no)
            )
        ),
        own_appraisals=list(db.session.scalars(own.order_by(Appraisal.cycle_id))),
        responses=list(db.session.scalars(select(AppraisalResponse.id))),
        print_jobs=[j.id for j in jobs if j.kind == SHEETS_KIND and j.status == "done"],
        first_module=modules[0].id,
        team=db.session.scalars(select(Streamer.team).order_by(Streamer.employee_no)).first() or "",
    )


def _batches(kind: str) -> list[int]:
    from hrapp.extensions import db
    from hrapp.intake.batch_model import ImportBatch

    return list(
        db.session.scalars(
            select(ImportBatch.id).where(ImportBatch.kind == kind).order_by(ImportBatch.id)
        )
    )


def _first(query: Any) -> list[int]:
    from hrapp.extensions import db

    found = db.session.scalars(query.limit(1)).first()
    return [found] if found is not None else []


def _appraisals(open_cycle: Any, last_finalized: Any) -> list[int]:
    """Of the open quarter, those HR reviewed (adjusted, commented) and the first with
    incomplete data; of the last finalized one, the first graded and the first not graded."""
    from hrapp.appraisals.models import Appraisal
    from hrapp.extensions import db

    def of(cycle: Any) -> Any:
        return (
            select(Appraisal.id)
            .where(Appraisal.cycle_id == cycle.id)
            .order_by(Appraisal.streamer_id)
        )

    reviewed = list(db.session.scalars(of(open_cycle).where(Appraisal.shared_comment != "")))
    found = [
        *reviewed,
        *_first(of(open_cycle).where(Appraisal.data_incomplete.is_(True))),
        *_first(of(last_finalized).where(Appraisal.not_graded.is_(False))),
        *_first(of(last_finalized).where(Appraisal.not_graded.is_(True))),
    ]
    return list(dict.fromkeys(found))


def _sessions() -> list[int]:
    """A festival marathon, a TikTok Shop room's (US dollars), one changed by late data, one
    with several hosts, and the newest."""
    from hrapp.live_sessions.models import LiveSession, SessionHost, SessionRevision
    from hrapp.streamers.models import PlatformAccount

    newest = select(LiveSession.id).order_by(LiveSession.started_at.desc())
    several_hosts = (
        select(SessionHost.session_id)
        .group_by(SessionHost.session_id)
        .having(func.count() > 1)
        .order_by(SessionHost.session_id)
    )
    found = [
        *_first(select(LiveSession.id).order_by(LiveSession.on_air_seconds.desc())),
        *_first(
            newest.join(
                PlatformAccount, PlatformAccount.id == LiveSession.platform_account_id
            ).where(PlatformAccount.platform == "tiktok")
        ),
        *_first(select(SessionRevision.session_id).order_by(SessionRevision.id)),
        *_first(several_hosts),
        *_first(newest),
    ]
    return list(dict.fromkeys(found))


def _streamers(mentor_id: int, last_finalized: Any) -> list[int]:
    """The mentor who logs in, their first mentee, a promoted streamer, one not graded last
    quarter, and the first of the roster."""
    from hrapp.appraisals.models import Appraisal
    from hrapp.streamers.models import LevelChange, Streamer

    found = [
        mentor_id,
        *_first(select(Streamer.id).where(Streamer.mentor_id == mentor_id).order_by(Streamer.id)),
        *_first(
            select(LevelChange.streamer_id)
            .group_by(LevelChange.streamer_id)
            .having(func.count() > 1)
            .order_by(LevelChange.streamer_id)
        ),
        *_first(
            select(Appraisal.streamer_id)
            .where(Appraisal.cycle_id == last_finalized.id, Appraisal.not_graded.is_(True))
            .order_by(Appraisal.streamer_id)
        ),
        *_first(select(Streamer.id).order_by(Streamer.employee_no)),
    ]
    return list(dict.fromkeys(found))


def _records() -> list[int]:
    """A passed and a failed record, one from the class, one from an imported file, and one
    whose trainer has no account."""
    from hrapp.training.models import TrainingRecord

    by_id = select(TrainingRecord.id).order_by(TrainingRecord.id)
    found = [
        *_first(by_id.where(TrainingRecord.passed.is_(True))),
        *_first(by_id.where(TrainingRecord.passed.is_(False))),
        *_first(by_id.where(TrainingRecord.class_id.is_not(None))),
        *_first(by_id.where(TrainingRecord.import_batch_id.is_not(None))),
        *_first(by_id.where(TrainingRecord.trainer_id.is_(None))),
    ]
    return list(dict.fromkeys(found))


def _names_in_the_data() -> Allowed:
    """Usernames, shown as they are (the demo's are letters and digits); the column names of
    the import files (the session template, the roster, training records), which the import
    pages teach in <code>; and the label tables' codes."""
    from hrapp.auth.models import User
    from hrapp.extensions import db
    from hrapp.live_sessions.parsing.template import template_columns
    from hrapp.streamers.roster_import import COLUMNS as ROSTER_COLUMNS
    from hrapp.training.imports import COLUMNS as TRAINING_COLUMNS

    roster = {alias for aliases in ROSTER_COLUMNS.values() for alias in aliases if alias.isascii()}
    return Allowed(
        words=frozenset(db.session.scalars(select(User.username))),
        columns=frozenset({*template_columns(), *roster, *ROSTER_COLUMNS, *TRAINING_COLUMNS}),
        codes=_label_codes(),
    )


def _label_codes() -> frozenset[str]:
    """The codes of every label table the app registered that read as words (`senior`,
    `live practice`); snake_case and dotted ones are the identifier detector's."""
    from hrapp.core import labels

    return frozenset(
        code
        for kind in labels.kinds()
        for code in labels.table(kind)
        if re.fullmatch(r"[a-z]+(?:(?: |->|-)[a-z]+)*", code)
    )

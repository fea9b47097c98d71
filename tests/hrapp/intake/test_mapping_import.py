"""Files in layouts no profile knows, imported with a column mapping: the command line, saved
mappings used again, and the guarantees of a recognised import (all or nothing, idempotent,
merged with other formats' rows on the natural key)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.intake.mapping_store import SavedMapping, find_mapping, save_mapping
from hrapp.intake.mappings import read_mapping
from hrapp.live_sessions.models import LiveSession
from tests.intake.test_mappings import CHANMAMA_ROWS, CHANMAMA_TOML
from tests.live_sessions_parsing.builders import csv_bytes, xlsx_bytes

# Hand-computed from CHANMAMA_ROWS: ¥1.5万 + ¥8,772.35 + ¥0.1亿, in fen.
GMV_TOTAL_FEN = 1_500_000 + 877_235 + 1_000_000_000
REFUNDS_TOTAL_FEN = 123_450  # ¥1,234.50; "—" is unknown, ¥0 is zero
VIEWERS_TOTAL = 12_000 + 5_000 + 80_000


def write(tmp_path: Path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return str(path)


def totals() -> tuple[int, int, int, int]:
    row = db.session.execute(
        select(
            func.count(LiveSession.id),
            func.sum(LiveSession.gmv_fen),
            func.sum(LiveSession.refunds_fen),
            func.sum(LiveSession.viewers),
        )
    ).one()
    return tuple(int(v or 0) for v in row)  # type: ignore[return-value]


def test_a_mapped_file_imports_with_hand_computed_totals_and_again_changes_nothing(
    app, cli, rooms, tmp_path
):
    mapping = write(tmp_path, "chanmama.toml", CHANMAMA_TOML)
    data = write(tmp_path, "chanmama.csv", csv_bytes(CHANMAMA_ROWS))

    first = cli("sessions", "import", data, "--mapping", mapping)

    assert first.exit_code == 0, first.output
    assert "chanmama.csv: 蝉妈妈 直播记录, 3 rows." in first.output
    assert "Inserted: 3  Updated: 0  Unchanged: 0  Rejected: 0" in first.output
    assert totals() == (3, GMV_TOTAL_FEN, REFUNDS_TOTAL_FEN, VIEWERS_TOTAL)
    batch = db.session.scalars(select(ImportBatch)).one()
    assert (batch.format, batch.mapping_name) == ("mapping", "蝉妈妈 直播记录")

    again = cli("sessions", "import", data, "--mapping", mapping)
    assert again.exit_code == 0, again.output
    assert f"Already imported as batch {batch.id}; nothing changed." in again.output
    assert totals() == (3, GMV_TOTAL_FEN, REFUNDS_TOTAL_FEN, VIEWERS_TOTAL)


def test_a_mapped_file_with_a_bad_cell_writes_nothing(app, cli, rooms, tmp_path):
    rows = [
        *CHANMAMA_ROWS,
        ["阿明", "00071", "2026/09/10 19:00", "", "很多", "", "", "", "", "", ""],
    ]
    mapping = write(tmp_path, "chanmama.toml", CHANMAMA_TOML)

    result = cli(
        "sessions", "import", write(tmp_path, "x.csv", csv_bytes(rows)), "--mapping", mapping
    )

    assert result.exit_code == 1
    assert '[error] row 7, 销售额, "很多": Not a number.' in result.output
    assert totals()[0] == 0


def test_a_mapped_file_merges_with_a_template_import_of_the_same_session(app, cli, rooms, tmp_path):
    template = (
        "platform,account_id,started_at,ended_at,gmv,refunds\n"
        "douyin,0439563,2026-09-07 08:00:00,2026-09-07 10:00:00,15000,1000\n"
    )
    assert cli("sessions", "import", write(tmp_path, "t.csv", template)).exit_code == 0
    mapping = write(tmp_path, "chanmama.toml", CHANMAMA_TOML)

    result = cli(
        "sessions",
        "import",
        write(tmp_path, "c.xlsx", xlsx_bytes(CHANMAMA_ROWS)),
        "--mapping",
        mapping,
    )

    assert result.exit_code == 0, result.output
    assert "Inserted: 2  Updated: 1  Unchanged: 0  Rejected: 0" in result.output
    session = db.session.scalars(select(LiveSession).where(LiveSession.gmv_fen == 1_500_000)).one()
    assert session.refunds_fen == 123_450  # the larger refund figure of the two
    assert session.viewers == 12_000  # filled in from the mapped file
    assert totals()[:2] == (3, GMV_TOTAL_FEN)


def test_a_saved_mapping_reads_later_files_with_the_same_headers(app, cli, rooms, hr, tmp_path):
    saved = cli("mappings", "save", write(tmp_path, "m.toml", CHANMAMA_TOML), "--user", "hr_li")
    assert saved.exit_code == 0, saved.output
    assert "Column mapping “蝉妈妈 直播记录” saved." in saved.output
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mapping.save")).one()
    assert entry.actor_name == "hr_li"
    assert entry.changes["platform"] == [None, "douyin"]

    listed = cli("mappings", "list")
    assert "蝉妈妈 直播记录" in listed.output
    assert "销售额 → gmv" in listed.output
    shown = cli("mappings", "show", "蝉妈妈 直播记录")
    assert read_mapping(shown.output) == read_mapping(CHANMAMA_TOML)  # the same document

    result = cli("sessions", "import", write(tmp_path, "later.csv", csv_bytes(CHANMAMA_ROWS)))
    assert result.exit_code == 0, result.output
    assert totals() == (3, GMV_TOTAL_FEN, REFUNDS_TOTAL_FEN, VIEWERS_TOTAL)
    assert db.session.scalars(select(ImportBatch.mapping_name)).one() == "蝉妈妈 直播记录"

    by_name = cli(
        "sessions",
        "import",
        write(tmp_path, "x.csv", csv_bytes(CHANMAMA_ROWS)),
        "--mapping",
        "蝉妈妈 直播记录",
    )
    # Read with the mapping (a file it could not read would be refused): the same rows again.
    assert by_name.exit_code == 0, by_name.output
    assert "Already imported as batch" in by_name.output and "nothing changed" in by_name.output


def test_a_recognised_export_is_not_taken_for_a_saved_mapping(app, rooms):
    save_mapping(read_mapping(CHANMAMA_TOML))
    from hrapp.live_sessions.importer import import_sessions
    from tests.hrapp.live_sessions.builders import template_file

    outcome = import_sessions(template_file({"started_at": "2026-09-03 19:00:00"}), "t.csv")
    assert (outcome.format, outcome.mapping) == ("template", None)


def test_saving_again_under_a_name_replaces_it_and_audits_the_change(app, rooms):
    save_mapping(read_mapping(CHANMAMA_TOML))
    changed = read_mapping(CHANMAMA_TOML.replace('"退款" = "refunds"', '"退款" = "refunds_1h"'))
    save_mapping(changed)
    db.session.commit()

    assert db.session.scalar(select(func.count(SavedMapping.id))) == 1
    assert find_mapping("蝉妈妈 直播记录") == changed
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "mapping.save").order_by(AuditEntry.id)
    ).all()
    assert list(entries[1].changes) == ["columns"]


def test_a_bad_mapping_document_is_refused_with_every_reason(app, cli, tmp_path):
    document = write(
        tmp_path,
        "bad.toml",
        'name = "x"\nplatform = "weibo"\n[columns]\n"号" = "account"\n"开播" = "started_at"\n',
    )

    result = cli("mappings", "save", document)

    assert result.exit_code != 0
    assert "Unknown platform “weibo”" in result.output
    assert "names an unknown field “account”" in result.output
    assert "No column is mapped to the required field(s) account_id, gmv." in result.output
    assert db.session.scalar(select(func.count(SavedMapping.id))) == 0


def test_an_unknown_mapping_name_stops_the_import(app, cli, tmp_path):
    result = cli(
        "sessions", "import", write(tmp_path, "x.csv", b"a,b\n1,2\n"), "--mapping", "无此映射"
    )
    assert result.exit_code != 0
    assert "No saved mapping is named “无此映射”" in result.output

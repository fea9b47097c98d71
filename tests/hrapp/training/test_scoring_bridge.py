"""Point 6: the scoring library's promotion checklist reads these records.

The default scheme names modules the default curriculum has (the scheme says which modules a
step needs, the curriculum how each is passed); and the checklist built from `training_facts`,
`mentee_facts` and `module_rules` must say what the training pages say.
"""

from __future__ import annotations

import datetime as dt

from hrapp.extensions import db
from hrapp.training.batches import import_training_file
from hrapp.training.services import (
    mentee_facts,
    mentee_passes,
    module_rules,
    module_status,
    required_modules,
    training_facts,
)
from scoring.promotion import PromotionInputs, Quarter, checklist, index_inputs, promotion_problems
from scoring.scheme_load import default_scheme_text, load_scheme
from tests.conftest import DATA_DIR
from tests.factories import assign_mentor, make_streamer

SAMPLE = DATA_DIR / "training" / "training_records.csv"


def test_the_default_scheme_requires_modules_of_the_curriculum(modules) -> None:
    scheme = load_scheme(default_scheme_text())
    for rule in scheme.promotion:
        step = f"{rule.from_level}->{rule.to_level}"
        assert [m.code for m in rule.modules if m.code in modules] == [
            m.code for m in rule.modules
        ], step
        assert {m.code for m in required_modules(step)} == {m.code for m in rule.modules}
        assert rule.mentee_module is None or rule.mentee_module in modules


def test_the_checklist_agrees_with_the_training_pages(modules, today) -> None:
    numbers = [f"E{n}" for n in range(1001, 1025)]
    streamers = {no: make_streamer(employee_no=no, level="assistant") for no in numbers}
    mentor = make_streamer(employee_no="E1100", level="senior")
    for no in ("E1001", "E1002", "E1013"):  # passed, passed, failed PRACTICAL-1
        assign_mentor(streamers[no], mentor.id)
    import_training_file(SAMPLE.name, SAMPLE.read_bytes())
    db.session.flush()

    scheme = load_scheme(default_scheme_text())
    inputs = PromotionInputs(
        as_of=today, training=training_facts(), mentees=mentee_facts(), modules=module_rules()
    )
    assert promotion_problems(inputs, scheme, "2026Q3") == []
    evidence = index_inputs(inputs, scheme)
    rule = scheme.promotion_from("assistant")
    current = Quarter("2026Q3", None, 0, None, None)
    for streamer in streamers.values():
        items = checklist(rule, streamer.id, dt.date(2025, 1, 1), current, evidence, scheme)
        met = {i["module"]: i["met"] for i in items if i["criterion"] == "module"}
        shown = {s.code: s.status == "passed" for s in module_status(streamer, today)}
        assert met == shown, streamer.employee_no

    mentor_items = checklist(
        scheme.promotion_from("senior"), mentor.id, None, current, evidence, scheme
    )
    (mentees_item,) = [i for i in mentor_items if i["criterion"] == "mentees"]
    assert mentees_item["actual"] == mentee_passes(mentor.id) == 2

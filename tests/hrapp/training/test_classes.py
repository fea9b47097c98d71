"""Point 2: a whole class in one form, all or nothing; point 3: class history."""

from __future__ import annotations

from sqlalchemy import func, select

from hrapp.extensions import db
from hrapp.training.models import TrainingClass, TrainingRecord
from tests.factories import make_streamer


def _roster(n: int = 3, **overrides):
    streamers = [make_streamer(team="二组", **overrides) for _ in range(n)]
    db.session.commit()
    return streamers


def _class_form(module, trainer, attendees: dict, held_on: str = "2026-09-12"):
    data = {"held_on": held_on, "trainer_id": str(trainer.id), "notes": "第三期", "attendee": []}
    for streamer, score in attendees.items():
        data["attendee"].append(str(streamer.id))
        data[f"score-{streamer.id}"] = score
    return data


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(TrainingClass)),
        db.session.scalar(select(func.count()).select_from(TrainingRecord)),
    )


def test_a_class_of_three_is_logged_in_one_post(modules, trainer, login_as, today) -> None:
    a, b, c = _roster()
    bystander = make_streamer(team="二组")
    db.session.commit()
    module = modules["COMPLIANCE-1"]
    client = login_as(trainer)
    data = _class_form(module, trainer, {a: "92", b: "80", c: "64.5"})
    data[f"score-{bystander.id}"] = ""  # on the roster, not ticked, no score
    response = client.post(f"/training/classes/new?module={module.id}", data=data)
    assert response.status_code == 302
    training_class = db.session.scalars(select(TrainingClass)).one()
    results = {r.streamer_id: (r.score, r.passed) for r in training_class.records}
    assert results == {a.id: (92, True), b.id: (80, True), c.id: (64.5, False)}
    assert all(
        r.trainer_name == "李老师" and r.created_by_id == trainer.id for r in training_class.records
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert all(s.employee_no in page for s in (a, b, c)) and bystander.employee_no not in page


def test_one_bad_attendee_refuses_the_whole_class(modules, trainer, login_as, today) -> None:
    a, b, c = _roster()
    module = modules["COMPLIANCE-1"]
    data = _class_form(module, trainer, {a: "92", b: "", c: "150"})
    response = login_as(trainer).post(f"/training/classes/new?module={module.id}", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"{b.display_name}: COMPLIANCE-1 has a pass mark, so a score is required." in page
    assert f"{c.display_name}: The score must be between 0 and 100." in page
    assert 'value="92"' in page  # what was typed stays in the form
    assert _counts() == (0, 0)


def test_a_score_for_someone_not_ticked_is_refused(modules, trainer, login_as, today) -> None:
    a, forgotten = _roster(2)
    module = modules["COMPLIANCE-1"]
    data = _class_form(module, trainer, {a: "90"})
    data[f"score-{forgotten.id}"] = "85"
    response = login_as(trainer).post(f"/training/classes/new?module={module.id}", data=data)
    assert response.status_code == 422
    assert (
        f"{forgotten.legal_name} has a score but is not ticked as attending."
        in response.get_data(as_text=True)
    )
    assert _counts() == (0, 0)


def test_attendees_must_be_on_the_active_roster(modules, trainer, login_as, today) -> None:
    (a,) = _roster(1)
    (gone,) = _roster(1, status="left")
    module = modules["FANS-1"]
    data = _class_form(module, trainer, {a: "", gone: ""})
    response = login_as(trainer).post(f"/training/classes/new?module={module.id}", data=data)
    assert response.status_code == 400
    assert _counts() == (0, 0)


def test_a_class_without_attendees_is_refused(modules, trainer, login_as, today) -> None:
    module = modules["FANS-1"]
    response = login_as(trainer).post(
        f"/training/classes/new?module={module.id}", data=_class_form(module, trainer, {})
    )
    assert response.status_code == 422
    assert "Choose at least one attendee." in response.get_data(as_text=True)


def test_the_class_form_lists_the_chosen_teams_roster(modules, trainer, login_as, today) -> None:
    (member,) = _roster(1)
    other = make_streamer(team="一组")
    db.session.commit()
    page = (
        login_as(trainer)
        .get(f"/training/classes/new?module={modules['FANS-1'].id}&team=二组")
        .get_data(as_text=True)
    )
    assert member.employee_no in page and other.employee_no not in page


def test_class_history_counts_attendees_and_passes(modules, trainer, login_as, today) -> None:
    a, b = _roster(2)
    module = modules["PRACTICAL-1"]
    client = login_as(trainer)
    data = _class_form(module, trainer, {a: "85", b: "70"}, held_on="2026-09-01")
    assert client.post(f"/training/classes/new?module={module.id}", data=data).status_code == 302
    page = client.get("/training/classes").get_data(as_text=True)
    assert "PRACTICAL-1" in page
    assert '<td class="num">2</td>' in page and '<td class="num">1</td>' in page

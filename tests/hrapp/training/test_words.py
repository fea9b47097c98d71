"""Training pages in the reader's language: curriculum categories by their labels, and the
problems of a training import worded from their messages."""

from __future__ import annotations

import io
import re

import pytest

from hrapp.auth.models import Role
from hrapp.core import labels
from hrapp.extensions import db
from hrapp.training.curriculum import DEFAULT_CURRICULUM
from tests.factories import make_readers


@pytest.fixture
def readers(app, login_as):
    """Trainers reading Chinese and English (each saved their language)."""
    return make_readers(login_as, Role.TRAINER)


def test_every_default_topic_is_a_curriculum_category_with_a_label() -> None:
    assert {m["topic"] for m in DEFAULT_CURRICULUM} <= set(labels.table("training_category"))


def test_the_curriculum_shows_categories_by_their_labels(modules, readers) -> None:
    chinese, english = readers

    zh = chinese.get("/training/modules").get_data(as_text=True)
    en = english.get("/training/modules").get_data(as_text=True)

    assert "<td>话术</td>" in zh and "<td>直播实战</td>" in zh
    assert "<td>Scripting</td>" in en and "<td>Live practice</td>" in en
    assert "<td>scripting</td>" not in en and "<td>live practice</td>" not in zh


def test_the_module_form_chooses_the_topic_from_the_categories(modules, readers) -> None:
    chinese, _english = readers
    module = modules["MOCKLIVE-1"]

    page = chinese.get(f"/training/modules/{module.id}").get_data(as_text=True)

    select = re.search(r'<select id="topic" name="topic">(.*?)</select>', page, re.S).group(1)
    assert '<option selected value="live practice">直播实战</option>' in select
    assert '<option value="scripting">话术</option>' in select


def test_a_topic_typed_before_the_categories_stays_as_written(modules, readers) -> None:
    chinese, _english = readers
    module = modules["FANS-1"]
    module.topic = "私域运营"
    db.session.commit()

    page = chinese.get(f"/training/modules/{module.id}").get_data(as_text=True)

    assert '<option selected value="私域运营">私域运营</option>' in page
    assert "<td>私域运营</td>" in chinese.get("/training/modules").get_data(as_text=True)


def test_import_problems_read_in_each_language(today, modules, readers) -> None:
    chinese, english = readers
    data = b"employee_no,module_code,completed_on,score\nE404,SCRIPT-1,2026-09-01,80\n"

    def refused(client) -> str:
        return client.post(
            "/training/import",
            data={"file": (io.BytesIO(data), "records.csv")},
            content_type="multipart/form-data",
        ).get_data(as_text=True)

    zh, en = refused(chinese), refused(english)

    assert "<td>No streamer has this employee number.</td>" in en
    assert "No streamer has this employee number." not in zh
    assert "<td>没有主播使用此工号。</td>" in zh

"""The Simplified Chinese catalog: complete, compiled, placeholder-safe, and used by the pages.

English needs no catalog: the source texts are English. These tests fail as soon as a string is
added or changed in the code or a template without a translation. Then run `make translations`,
translate the new (empty or fuzzy) entries in hrapp/translations/zh_Hans_CN/LC_MESSAGES/
messages.po, and run `make translations` again to compile the catalog that is committed.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext

from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.conftest import login
from tests.factories import make_streamer, make_user

ROOT = Path(__file__).resolve().parents[3]
CATALOG = ROOT / "hrapp" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
HOW_TO_FIX = "run `make translations`, translate the entries in messages.po, run it again"

# %(name)s with any flags, width and precision; %s and %d without a space flag (so that "0% and"
# is a percent sign, not a conversion); %%; str.format fields.
_PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[-#0+]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"
    r"|%%|\{\w*\}"
)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _extraction_keywords() -> dict[str, object]:
    """Babel's default keywords plus the `-k` options of the Makefile's `translations` target."""
    options = re.findall(r"(?<=\s)-k\s+(\S+)", (ROOT / "Makefile").read_text(encoding="utf-8"))
    assert options, "the Makefile's translations target passes no -k keyword to pybabel"
    return {**DEFAULT_KEYWORDS, **parse_keywords(options)}


def _source_messages() -> dict[tuple[str | None, str], str]:
    """Every translatable string in the code and the templates, as `make translations` extracts
    them: (context, msgid) → where it first occurs."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    found: dict[tuple[str | None, str], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, _extraction_keywords()
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault((context, msgid), f"{filename}:{lineno}")
    return found


def _compiled() -> Catalog:
    with (CATALOG / "messages.mo").open("rb") as mo:
        return read_mo(mo)


def _po() -> Catalog:
    with (CATALOG / "messages.po").open("rb") as po:
        return read_po(po)


def _strings(message: Message) -> tuple[str, ...]:
    """The translation's forms (one, or one per plural form: a list when read from a .mo)."""
    text = message.string
    return tuple(text) if isinstance(text, tuple | list) else (text,)


def _is_translated(message: Message | None) -> bool:
    return message is not None and all(_strings(message))


def placeholders(text: str) -> Counter[str]:
    """The formatting tokens of a text, and how many lone `%` signs it has besides them (a
    template formats every string with `%`, so a stray one breaks the page)."""
    tokens = Counter(_PLACEHOLDER.findall(text))
    tokens["%"] = _PLACEHOLDER.sub("", text).count("%")
    return +tokens


def placeholder_problems(message: Message) -> list[str]:
    """How a translation's placeholders differ from its source text's (empty when they agree).

    For a plural message the plural source text is the reference: with one plural form, Chinese
    uses the same sentence for every number, and that sentence must show the number.
    """
    source = message.id[-1] if isinstance(message.id, tuple) else message.id
    expected = placeholders(source)
    return [
        f"{source!r}: {expected} in the source, {placeholders(text)} in {text!r}"
        for text in _strings(message)
        if placeholders(text) != expected
    ]


def zh(msgid: str) -> str:
    """The Chinese of a source text, from the compiled catalog."""
    message = _compiled().get(msgid)
    assert message is not None and _CHINESE.search(_strings(message)[0]), msgid
    return _strings(message)[0]


# --- the catalog ----------------------------------------------------------------------------


def test_the_catalog_is_where_flask_babel_looks_for_zh_cn(app: Flask) -> None:
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"
    assert (CATALOG / "messages.po").is_file()
    assert (CATALOG / "messages.mo").is_file()


def test_every_source_string_has_a_compiled_translation() -> None:
    compiled = _compiled()
    missing = [
        f"{where}: {msgid!r}" + (f" (context {context!r})" if context else "")
        for (context, msgid), where in sorted(_source_messages().items(), key=lambda i: i[1])
        if not _is_translated(compiled.get(msgid, context))
    ]
    assert not missing, f"{len(missing)} strings have no Chinese translation ({HOW_TO_FIX}):\n" + (
        "\n".join(missing)
    )


def test_the_po_file_is_complete_and_compiled() -> None:
    compiled = _compiled()
    problems = []
    for message in _po():
        if not message.id:
            continue  # the header
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not _is_translated(message):
            problems.append(f"untranslated: {message.id!r}")
        elif _strings(compiled.get(message.id, message.context) or Message("")) != _strings(
            message
        ):
            problems.append(f"changed since the last compile: {message.id!r}")
    assert not problems, f"messages.po needs work ({HOW_TO_FIX}):\n" + "\n".join(problems)


def test_translations_keep_every_placeholder() -> None:
    problems = [
        problem for message in _po() if message.id for problem in placeholder_problems(message)
    ]
    assert not problems, "\n".join(problems)


def test_the_placeholder_check_sees_lost_extra_and_stray_signs() -> None:
    def problems(source: str, translation: str) -> list[str]:
        return placeholder_problems(Message(source, translation))

    assert not problems("%(n)d rows, 100%% done", "%(n)d 行，已完成 100%%")
    assert not problems("Share (%)", "占比（%）")
    assert not problems("More than 0% and at most 100%.", "大于 0% 且不超过 100%。")
    assert problems("Cycle %(code)s", "考核周期")  # lost
    assert problems("Saved.", "已保存 %(n)d。")  # extra
    assert problems("0.5%%", "0.5%")  # a stray % breaks a template's formatting
    assert problems("%(seconds).1f s", "%(seconds)d 秒")  # another format
    assert problems(("%(num)d row", "%(num)d rows"), ("共几行",))


# --- the pages --------------------------------------------------------------------------------


def test_pages_are_chinese_by_default_and_english_after_switching(client: FlaskClient) -> None:
    make_streamer()
    hr = make_user(Role.HR)
    db.session.commit()

    login_page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in login_page
    assert f'<button type="submit" class="primary">{zh("Log in")}</button>' in login_page

    login(client, hr.username)
    roster = client.get("/streamers/").get_data(as_text=True)
    assert f"<title>{zh('Roster')} · hrapp</title>" in roster
    assert zh("%(num)d streamer matches.") % {"num": 1} in roster  # one plural form
    assert zh("Assistant streamer") in roster  # a lazy label, translated when shown
    training = client.get("/training/").get_data(as_text=True)
    assert zh("Certifications expiring within 30 days") in training

    client.post("/language/en")
    roster = client.get("/streamers/").get_data(as_text=True)
    assert "<title>Roster · hrapp</title>" in roster
    assert "1 streamer matches." in roster
    assert "Assistant streamer" in roster
    assert "Certifications expiring within 30 days" in client.get("/training/").get_data(
        as_text=True
    )


def test_a_word_with_two_meanings_gets_the_right_one(client: FlaskClient) -> None:
    """ "Active" is an employed streamer (在职) on the roster and an enabled login (启用) on the
    accounts page: contexts keep the two apart."""
    make_streamer()
    admin = make_user(Role.ADMIN, Role.HR)
    db.session.commit()
    login(client, admin.username)
    compiled = _compiled()
    streamer_active = _strings(compiled.get("Active", "streamer status"))[0]
    account_active = _strings(compiled.get("Active", "user account"))[0]
    assert streamer_active != account_active
    assert f">{streamer_active}</span>" in client.get("/streamers/").get_data(as_text=True)
    assert f"<th>{account_active}</th>" in client.get("/accounts").get_data(as_text=True)


def test_messages_outside_a_request_are_chinese(app: Flask) -> None:
    """CLI commands and background jobs speak the default language."""
    assert gettext("Nothing was changed.") == zh("Nothing was changed.")

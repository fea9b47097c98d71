"""The page reader: every page of the app, read as each role reads it, in Chinese and English.

`test_every_page_reads.py` logs in as the demo agency's admin, HR, trainer and a streamer
(and reads the login page anonymously), sets the account's saved language, opens every GET
endpoint the permission matrix lets that role open, with ids of the demo agency, and fails on
visible text that was not written for people: a snake_case or dotted identifier, a Python
value (`False`, `None`, `{'`), an amount in fen shown as money, a stored code where its label
belongs (Chinese pages), or an English sentence on a Chinese page. reading.py defines each
precisely; walk.py says which URLs are read; demo_site.py what the demo agency holds.

A failure lists, per endpoint and URL, each snippet with the offending words in [brackets]
and who saw it (role/language). To fix one: render the code through its label
(`code|label('kind')`), the stored message through `|message`, money through `|money`, the
English through `_()` and a Chinese translation. Text that is verbatim file content (a
scheme's TOML) is marked `translate="no"` in the template and not read; an import file's
column names are read as they are only inside <code>.

A new GET endpoint fails `test_every_get_endpoint_is_read` until the permission matrix has a
200 case for it and, if its rule has arguments, walk.ARGUMENTS gives demo ids for them.

Run alone: `.venv/bin/pytest -q -p no:cacheprovider tests/page_text` (about 30 s: the demo
agency is loaded once for the package, into a database of its own).
"""

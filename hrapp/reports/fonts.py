"""The sheet's own font: the common characters of the system's Noto Sans CJK SC, made once per
process.

Noto Sans CJK SC (fonts-noto-cjk) has 65,535 glyphs, and WeasyPrint embeds in each PDF a subset
that keeps every glyph's number: a sheet's few hundred characters, numbered up to 63,000, made
a font of 63,000 slots to subset, compress and write into every sheet — a sixth of a sheet's
rendering time and half of its file. So each process makes, once (a tenth of a second, with
HarfBuzz's subsetter), a font of the characters of GB 2312 (its 6,763 hanzi, Latin, punctuation
and symbols) from that face: about 8,000 glyphs, served to WeasyPrint as `SHEET_FONT_URL`. The
sheet names it first in its font list and Noto Sans CJK SC after it, so a rarer character (a
name's 喆) still comes from the full font. The made font carries no family name of its own
(only the `@font-face` one), so that it never stands in for Noto Sans CJK SC itself.

Without HarfBuzz's subsetter or the system font `sheet_font` is None, the font's URL is refused
and the sheet falls back to Noto Sans CJK SC, as before: slower, the same glyphs.

This module needs no Flask application (worker processes import it alone).
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import threading
from typing import Any

LOGGER = logging.getLogger(__name__)
SHEET_FONT_FAMILY = "Sheet Sans SC"
SHEET_FONT_FILE = "sheet-sans-sc.otf"
SOURCE_FAMILY = "Noto Sans CJK SC:style=Regular"
# Latin, Latin-1 and Latin Extended-A/B, general punctuation to dingbats (arrows, ✓, ①…), CJK
# punctuation, full-width forms; the hanzi and the rest come from GB 2312.
RANGES = ((0x20, 0x7E), (0xA0, 0x24F), (0x2000, 0x27BF), (0x3000, 0x303F), (0xFF00, 0xFFEF))
# What Pango asks of a Chinese and Latin text. Not `locl`, `vert` or the like: their alternates
# (Japanese, Korean, traditional and vertical forms) would double the glyphs.
FEATURES = ("ccmp", "kern", "liga", "calt", "mark", "mkmk")
# Name records kept: the copyright and the licence (ids 0, 13, 14), no family names.
NAME_IDS = (0, 13, 14)
_SETS_NAME_ID = 4  # hb_subset_sets_t
_SETS_LAYOUT_FEATURE_TAG = 6

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_face_destroy (hb_face_t *face);
void hb_set_add (hb_set_t *set, uint32_t codepoint);
void hb_set_add_range (hb_set_t *set, uint32_t first, uint32_t last);
void hb_set_add_sorted_array (hb_set_t *set, const uint32_t *sorted, unsigned int length);
void hb_set_clear (hb_set_t *set);
uint32_t hb_tag_from_string (const char *str, int len);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
_lock = threading.Lock()


def gb2312_characters() -> list[int]:
    """The code points GB 2312 encodes beyond ASCII, ascending."""
    found = []
    for codepoint in range(0x80, 0x10000):
        if 0xD800 <= codepoint < 0xE000:
            continue
        try:
            chr(codepoint).encode("gb2312")
        except UnicodeEncodeError:
            continue
        found.append(codepoint)
    return found


def source_font() -> tuple[str, int] | None:
    """(file, face index) of the system's Noto Sans CJK SC, per fontconfig; None without it."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    command = [fc_match, "--format=%{file}\n%{index}\n%{family}", SOURCE_FAMILY]
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments
            command, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    path, index, families = [*done.stdout.split("\n"), "", "", ""][:3]
    if "Noto Sans CJK SC" not in families.split(",") or not index.isdigit():
        return None  # fontconfig's fallback for a missing font: not the one to cut down
    return path, int(index)


def sheet_font() -> bytes | None:
    """The sheet's font (an OpenType file), made on the first call of the process; None when
    it cannot be made (see the module's description)."""
    with _lock:
        return _made_font()


@functools.cache
def _made_font() -> bytes | None:
    source = source_font()
    if source is None:
        LOGGER.warning("No Noto Sans CJK SC: sheets use the system's fonts as they are")
        return None
    try:
        return _subset(*source)
    except (OSError, AttributeError) as exc:  # no HarfBuzz subsetter, or one too old
        LOGGER.warning("The sheet font could not be made (%s): sheets use Noto Sans CJK SC", exc)
        return None


def _libraries() -> tuple[Any, Any, Any]:
    from cffi import FFI

    ffi = FFI()
    ffi.cdef(_CDEF)
    return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")


def _subset(path: str, index: int) -> bytes | None:
    ffi, hb, hb_subset = _libraries()
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    if blob == ffi.NULL:
        return None
    face = ffi.gc(hb.hb_face_create(blob, index), hb.hb_face_destroy)
    hb.hb_blob_destroy(blob)  # the face holds its own reference
    wanted = ffi.gc(hb_subset.hb_subset_input_create_or_fail(), hb_subset.hb_subset_input_destroy)
    if wanted == ffi.NULL:
        return None
    unicodes = hb_subset.hb_subset_input_unicode_set(wanted)
    for first, last in RANGES:
        hb.hb_set_add_range(unicodes, first, last)
    common = gb2312_characters()
    hb.hb_set_add_sorted_array(unicodes, ffi.new("uint32_t[]", common), len(common))
    _replace(hb, hb_subset.hb_subset_input_set(wanted, _SETS_NAME_ID), NAME_IDS)
    tags = [hb.hb_tag_from_string(tag.encode(), -1) for tag in FEATURES]
    _replace(hb, hb_subset.hb_subset_input_set(wanted, _SETS_LAYOUT_FEATURE_TAG), tags)
    made = hb_subset.hb_subset_or_fail(face, wanted)
    if made == ffi.NULL:
        return None
    made = ffi.gc(made, hb.hb_face_destroy)
    data = ffi.gc(hb.hb_face_reference_blob(made), hb.hb_blob_destroy)
    length = ffi.new("unsigned int *")
    pointer = hb.hb_blob_get_data(data, length)
    return bytes(ffi.unpack(pointer, length[0])) if length[0] else None


def _replace(hb: Any, hb_set: Any, values: Any) -> None:
    hb.hb_set_clear(hb_set)
    for value in values:
        hb.hb_set_add(hb_set, value)

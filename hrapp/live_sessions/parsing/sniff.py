"""Moved to `hrapp.intake.sniff` (one set of readers and limits for every upload)."""

from hrapp.intake.sniff import check_workbook_archive, check_workbook_entries, detect_container

__all__ = ["check_workbook_archive", "check_workbook_entries", "detect_container"]

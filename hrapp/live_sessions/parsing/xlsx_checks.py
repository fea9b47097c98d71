"""Moved to `hrapp.intake.xlsx_guard` (the intake's guarded XLSX reading)."""

from hrapp.intake.xlsx_guard import (
    MAX_CALAMINE_CELLS,
    CalamineUnfit,
    Parts,
    check_fidelity,
    check_safety,
    pattern_past,
)

__all__ = [
    "MAX_CALAMINE_CELLS",
    "CalamineUnfit",
    "Parts",
    "check_fidelity",
    "check_safety",
    "pattern_past",
]

"""Intake: a report comes in, proposed directives go out (DESIGN.md §7).

Plain Python, no Flask and no database: ``reading`` turns an uploaded file into text,
``parser`` finds the priority section and its tasks, ``routing`` proposes fields and units from
the editable keyword table.
"""

from tracker.intake.parser import ParsedItem, ParsedReport, ReportParseError, parse_report
from tracker.intake.reading import read_report_file
from tracker.intake.routing import DEFAULT_RULES, RuleSpec, propose_units

__all__ = [
    "DEFAULT_RULES",
    "ParsedItem",
    "ParsedReport",
    "ReportParseError",
    "RuleSpec",
    "parse_report",
    "propose_units",
    "read_report_file",
]

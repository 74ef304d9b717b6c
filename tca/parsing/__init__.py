"""Pure parsing and validation of user input files (no Django, no I/O but the input).

The service layer stores what these functions return; docs/ingestion-formats.md
lists the formats and every rule with its error text.
"""

from tca.parsing.columns import parsed_schema
from tca.parsing.consistency import validate_fills_against_orders
from tca.parsing.errors import MAX_REPORTED_ERRORS, RowError, ValidationResult
from tca.parsing.files import ParseResult, parse_file, to_canonical
from tca.parsing.fix import EVENT_SCHEMA, FixParseResult, parse_fix_log
from tca.parsing.fix_apply import FILL_STATE_SCHEMA, FixApplyResult, apply_fix_events
from tca.parsing.values import DECIMAL

__all__ = [
    "DECIMAL",
    "EVENT_SCHEMA",
    "FILL_STATE_SCHEMA",
    "MAX_REPORTED_ERRORS",
    "FixApplyResult",
    "FixParseResult",
    "ParseResult",
    "RowError",
    "ValidationResult",
    "apply_fix_events",
    "parse_file",
    "parse_fix_log",
    "parsed_schema",
    "to_canonical",
    "validate_fills_against_orders",
]

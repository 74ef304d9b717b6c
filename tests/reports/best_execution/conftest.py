"""The pre-trade tests' simulated book (history, TCA, models) serves the report tests too."""

from tests.pretrade.conftest import book, on_book, transactional_db_or_db  # noqa: F401

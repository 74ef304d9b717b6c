"""The RFQ tests use the pre-trade tests' simulated book (history, TCA, trained models)."""

from tests.pretrade.conftest import book, on_book, transactional_db_or_db

__all__ = ["book", "on_book", "transactional_db_or_db"]

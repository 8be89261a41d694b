"""mahnwerk: collecting overdue receivables in Germany, from the first reminder to enforcement."""

__version__ = "0.1.0"

"""Tables of banking: statements, entries, matches, review queue, mandates, payouts."""

from __future__ import annotations

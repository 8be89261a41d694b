"""Tables of the models: versions, scores with reasons, audits, overrides, drift."""

from __future__ import annotations

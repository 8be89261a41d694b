"""Tables of the agent workspace: call logs."""

from __future__ import annotations

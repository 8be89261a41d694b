"""Tables of the web pages: creditor registrations and e-mail confirmations."""

from __future__ import annotations

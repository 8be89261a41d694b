"""Tables of the dunning workflow (outbox, tasks, approvals, payment plans, runs).

Kept apart from :mod:`mahnwerk.store.models` so the core schema stays readable; both share
its :class:`~mahnwerk.store.models.Base`.
"""

from __future__ import annotations

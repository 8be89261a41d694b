"""Legal reference values added by operators without a release (the next base rate, the next
garnishment amounts), with who added them and from which source; merged into the shipped
tables by :mod:`mahnwerk.reference` (:func:`install_operator_values`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mahnwerk import reference
from mahnwerk.store.models import Base, pk, ts


class ReferenceValue(Base):
    """One row of a reference table (``dataset`` = its file name) as an operator added it."""

    __tablename__ = "reference_value"
    id: Mapped[int] = pk()
    dataset: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(500))
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = ts()
    __table_args__ = (UniqueConstraint("dataset", "key"),)


def operator_values(session: Session, dataset: str) -> list[ReferenceValue]:
    return list(
        session.scalars(
            select(ReferenceValue)
            .where(ReferenceValue.dataset == dataset)
            .order_by(ReferenceValue.valid_from, ReferenceValue.key)
        )
    )


def install_operator_values(session: Session) -> int:
    """Hand every stored operator row to the reference loader; returns how many."""
    count = 0
    for dataset in reference.ROW_KEYS:
        rows = [dict(v.data) for v in operator_values(session, dataset)]
        reference.install_operator_rows(dataset, rows)
        count += len(rows)
    return count

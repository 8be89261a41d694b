"""Default (Verzug, § 286 BGB): no default without its ground.

A claim is in default only on one of these grounds; :func:`default_start` computes the first
day of interest (``default_from``: the day after default began, § 187 Abs. 1 BGB) from what
the creditor hands over:

1. ``default_from`` given: the creditor states the day (e.g. a due date fixed by the calendar
   in the contract, § 286 Abs. 2 Nr. 1 BGB). Taken as it is.
2. ``reminder_date``: the creditor's own reminder (Mahnung, § 286 Abs. 1 BGB) after the due
   date. Default begins on the day the reminder is taken to have arrived, its date plus
   ``receipt_days`` (default 4: an **assumption**, as § 122 Abs. 2 AO presumes for letters
   since 2025; the setting ``MAHNWERK_RECEIPT_DAYS`` changes it); interest from the next day.
3. § 286 Abs. 3 BGB for an Entgeltforderung: 30 days after the due date and the receipt of the
   invoice (its date plus ``receipt_days``); default begins when the 30th day ends, interest
   from the day after. Against a consumer only if the invoice pointed to this consequence
   (``notice_286_3``); against anyone else it applies by law.
4. None of these: **not in default**. The first reminder of the agency puts the claim in
   default (:func:`default_by_reminder`), counted the same way as 2.

Where several grounds hold, the explicit ``default_from`` wins, else the earliest day.

Worked examples (checked by hand): a reminder of 2025-03-10 arrives on 2025-03-14, interest
from 2025-03-15; an invoice of 2025-02-15 due on 2025-03-01 with the notice: received
2025-02-19, the 30 days run from the later of due date and receipt (2025-03-01) to
2025-03-31, interest from 2025-04-01.

>>> default_by_reminder(date(2025, 3, 10))
datetime.date(2025, 3, 15)
>>> default_start(due_date=date(2025, 3, 1), invoice_date=date(2025, 2, 15),
...     notice_286_3=True, consumer=True).default_from
datetime.date(2025, 4, 1)
>>> default_start(due_date=date(2025, 3, 1), consumer=True).default_from is None
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

#: Days after its date on which a letter is taken to have arrived (an assumption).
DEFAULT_RECEIPT_DAYS = 4
#: § 286 Abs. 3 S. 1 BGB.
ENTGELT_DEFAULT_DAYS = 30

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DefaultGround:
    """The first day of interest (``None``: not in default), the ground in German, and the
    problems of the input (each naming its field)."""

    default_from: date | None
    ground: str = ""
    problems: tuple[tuple[str, str], ...] = field(default=())


def _de(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def default_by_reminder(reminder: date, receipt_days: int = DEFAULT_RECEIPT_DAYS) -> date:
    """The first day of interest after a reminder dated ``reminder``: it arrives
    ``receipt_days`` later, default begins that day, interest runs from the next."""
    return reminder + timedelta(days=receipt_days) + ONE_DAY


def default_by_invoice(
    due_date: date, invoice_date: date, receipt_days: int = DEFAULT_RECEIPT_DAYS
) -> date:
    """The first day of interest under § 286 Abs. 3 BGB: 30 days from the later of due date
    and receipt of the invoice; default begins when they end, interest from the next day."""
    start = max(due_date, invoice_date + timedelta(days=receipt_days))
    return start + timedelta(days=ENTGELT_DEFAULT_DAYS) + ONE_DAY


def default_start(
    *,
    due_date: date | None,
    default_from: date | None = None,
    invoice_date: date | None = None,
    reminder_date: date | None = None,
    notice_286_3: bool = False,
    consumer: bool,
    entgelt: bool = True,
    receipt_days: int = DEFAULT_RECEIPT_DAYS,
) -> DefaultGround:
    """The first day of interest of a claim and its ground (see the module docstring)."""
    problems: list[tuple[str, str]] = []
    if default_from is not None:
        if due_date is not None and default_from < due_date:
            problems.append(
                (
                    "default_from",
                    f"Verzugsbeginn {_de(default_from)} liegt vor der Fälligkeit {_de(due_date)}",
                )
            )
        return DefaultGround(default_from, "Verzugsbeginn vom Gläubiger angegeben", tuple(problems))
    found: list[tuple[date, str]] = []
    if reminder_date is not None:
        if due_date is None:
            problems.append(("due_date", "fehlt: eine Mahnung setzt die Fälligkeit voraus"))
        elif reminder_date < due_date:
            problems.append(
                (
                    "reminder_date",
                    f"Mahnung vom {_de(reminder_date)} liegt vor der Fälligkeit "
                    f"{_de(due_date)} (§ 286 Abs. 1 BGB: Mahnung erst nach Fälligkeit)",
                )
            )
        else:
            found.append(
                (
                    default_by_reminder(reminder_date, receipt_days),
                    f"Mahnung des Gläubigers vom {_de(reminder_date)} (§ 286 Abs. 1 BGB)",
                )
            )
    if notice_286_3 and not entgelt:
        problems.append(
            ("notice_286_3", "§ 286 Abs. 3 BGB gilt nur für Entgeltforderungen (kind entgelt)")
        )
    elif (notice_286_3 or not consumer) and entgelt and due_date is not None:
        if invoice_date is None:
            if notice_286_3:
                problems.append(
                    (
                        "invoice_date",
                        "fehlt: § 286 Abs. 3 BGB zählt 30 Tage ab Zugang der Rechnung",
                    )
                )
        else:
            found.append(
                (
                    default_by_invoice(due_date, invoice_date, receipt_days),
                    f"30 Tage nach Fälligkeit und Zugang der Rechnung vom {_de(invoice_date)} "
                    "(§ 286 Abs. 3 BGB)",
                )
            )
    elif notice_286_3 and due_date is None:
        problems.append(("due_date", "fehlt: § 286 Abs. 3 BGB zählt ab der Fälligkeit"))
    if not found:
        return DefaultGround(None, "", tuple(problems))
    day, ground = min(found)
    return DefaultGround(day, ground, tuple(problems))

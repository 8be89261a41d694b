"""Forderungsaufstellung: ZVFV Anlage 6 (for the bailiff) and Anlage 7 (for the PfÜB).

One statement per title (§ 2 Abs. 5 ZVFV; claims of several titles are never added up), in
the sections of the official form (court-and-enforcement.md 3.5):

- **I. Hauptforderung(en)**: each claim as *Hauptforderung* (nothing paid on it) or
  *Restforderung* (titled amount and the open rest after payments, § 367 BGB: the court does
  not re-check the allocation); its interest as the form asks (points over the base rate or a
  percentage, from, to, on which amount) with the interest computed up to the day of the
  statement, paid and open.
- **III. titulierte Kosten**: costs dated on or before the title's date of issue (the costs of
  the Mahnverfahren in the Vollstreckungsbescheid, titled pre-court costs).
- **IV. Kosten der bisherigen Zwangsvollstreckung** (§ 788 ZPO): costs dated after it.

Section II of the official forms could not be confirmed from the sources (see
``court-and-enforcement.md`` 3.5 and 6.6) and is not printed. Anlage 8 (statutory
maintenance) is not supported: the agency does not collect maintenance claims.

Every amount is the ledger's (:func:`mahnwerk.domain.ledger.compute_statement` on the case's
day): the open principal, the interest (the sum of the ledger's interest periods), the costs
and the total are exactly the statement's, to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from mahnwerk.documents.forms import (
    FormDocument,
    FormField,
    FormItem,
    FormModule,
    FormRenderer,
    FormTable,
    Note,
)
from mahnwerk.domain import ledger
from mahnwerk.domain.money import ZERO
from mahnwerk.domain.title_statement import TITLED_INTEREST
from mahnwerk.enforcement.values import (
    REPRODUCTION_NOTICE,
    EnforcementCase,
    FormError,
    Problem,
    TitleRef,
    de_amount,
    de_date,
    interest_text,
)


class Anlage(StrEnum):
    BAILIFF = "6"
    GARNISHMENT = "7"

    @property
    def heading(self) -> str:
        return _ANLAGE[self][0]

    @property
    def form_title(self) -> str:
        return _ANLAGE[self][1]


_ANLAGE = {
    Anlage.BAILIFF: (
        "Anlage 6 (zu § 1 Absatz 4 Nummer 1)",
        "Aufstellung von Forderungen für Vollstreckungsaufträge an Gerichtsvollzieher",
    ),
    Anlage.GARNISHMENT: (
        "Anlage 7 (zu § 1 Absatz 4 Nummer 2 Buchstabe a)",
        "Aufstellung von Forderungen, die keine gesetzlichen Unterhaltsansprüche sind, für den "
        "Antrag auf Erlass eines Pfändungsbeschlusses und eines Pfändungs- und "
        "Überweisungsbeschlusses",
    ),
}

INTEREST_COLUMNS = ("Zinsen von", "bis", "aus Betrag (€)", "Zinsbetrag (€)")
COST_COLUMNS = ("Kostenart", "Datum", "Betrag (€)", "bezahlt (€)", "offen (€)")


@dataclass(frozen=True)
class Sections:
    """The statement split into the form's sections (amounts as ``Decimal``)."""

    titled_costs: tuple[ledger.CostStatement, ...]
    enforcement_costs: tuple[ledger.CostStatement, ...]
    titled_interest: tuple[ledger.CostStatement, ...] = ()
    """Interest the title states as an amount (section I, not a cost)."""

    @staticmethod
    def of(statement: ledger.Statement, title: TitleRef) -> Sections:
        interest = tuple(c for c in statement.costs if c.code == TITLED_INTEREST)
        rest = [c for c in statement.costs if c.code != TITLED_INTEREST]
        titled = tuple(c for c in rest if c.date <= title.issued)
        later = tuple(c for c in rest if c.date > title.issued)
        return Sections(titled, later, interest)


def problems(case: EnforcementCase) -> list[Problem]:
    out = case.problems()
    if len(case.titles) > 1:
        out.append(
            Problem(
                "titles",
                "mehrere Titel in einer Akte: je Titel eine eigene Akte und Aufstellung "
                "(§ 2 Abs. 5 ZVFV, Forderungen verschiedener Titel nicht zusammenrechnen)",
            )
        )
    return out


def _interest_rows(claim: ledger.ClaimStatement) -> list[tuple[str, ...]]:
    """The ledger's interest periods merged while the amount bearing interest is the same."""
    rows: list[tuple[str, ...]] = []
    run: list[ledger.InterestPeriod] = []

    def flush() -> None:
        if run:
            total = sum((p.interest for p in run), ZERO)
            rows.append(
                (
                    de_date(run[0].start),
                    de_date(run[-1].end),
                    de_amount(run[0].base),
                    de_amount(total),
                )
            )
            run.clear()

    for period in claim.periods:
        if run and (period.base != run[-1].base or period.start != _next(run[-1])):
            flush()
        run.append(period)
    flush()
    return rows


def _next(period: ledger.InterestPeriod) -> date:
    return period.end + timedelta(days=1)


def _claim_items(case: EnforcementCase, claim: ledger.ClaimStatement) -> list[FormItem]:
    source = next(c for c in case.ledger_case.claims if c.id == claim.id)
    terms = interest_text(source.interest, consumer=case.ledger_case.consumer, origin=source.origin)
    kind = "Hauptforderung" if claim.principal_open == claim.principal else "Restforderung"
    key = f"claim[{claim.id}]"
    items: list[FormItem] = [
        Note(f"{kind} {claim.id}" + (f" – {claim.label}" if claim.label else ""), heading=True),
        FormField(f"{key}.kind", "Art der Forderung", kind),
        FormField(f"{key}.titled", "Betrag laut Titel (€)", de_amount(claim.principal)),
    ]
    if kind == "Restforderung":
        items.append(
            FormField(
                f"{key}.open", "noch offene Restforderung (€)", de_amount(claim.principal_open)
            )
        )
    items.append(FormField(f"{key}.interest_terms", "Zinsen", terms))
    items.append(FormField(f"{key}.interest_from", "Zinsen ab", de_date(claim.default_from)))
    rows = _interest_rows(claim)
    if rows:
        items.append(
            FormTable(
                f"{key}.interest",
                INTEREST_COLUMNS,
                tuple(rows),
                (
                    "Zinsen bis " + de_date(case.as_of),
                    "",
                    "",
                    de_amount(claim.interest_accrued),
                ),
            )
        )
    items += [
        FormField(f"{key}.interest_paid", "darauf gezahlt (€)", de_amount(claim.interest_paid)),
        FormField(f"{key}.interest_open", "Zinsen offen (€)", de_amount(claim.interest_open)),
    ]
    return items


def _cost_table(key: str, costs: tuple[ledger.CostStatement, ...]) -> list[FormItem]:
    if not costs:
        return [Note("keine")]
    rows = tuple(
        (c.label, de_date(c.date), de_amount(c.amount), de_amount(c.paid), de_amount(c.open))
        for c in costs
    )
    total = (
        "Summe",
        "",
        de_amount(sum((c.amount for c in costs), ZERO)),
        de_amount(sum((c.paid for c in costs), ZERO)),
        de_amount(sum((c.open for c in costs), ZERO)),
    )
    return [FormTable(key, COST_COLUMNS, rows, total)]


def form(case: EnforcementCase, anlage: Anlage) -> FormDocument:
    """The Forderungsaufstellung of the case's title as a form document.

    Raises :class:`~mahnwerk.enforcement.values.FormError` with every problem at once.
    """
    found = problems(case)
    if found:
        raise FormError(found)
    st = case.statement
    title = case.titles[0]
    sections = Sections.of(st, title)
    t = st.totals
    titled_open = sum((c.open for c in sections.titled_costs), ZERO)
    titled_interest_open = sum((c.open for c in sections.titled_interest), ZERO)
    enforcement_open = sum((c.open for c in sections.enforcement_costs), ZERO)
    head = FormModule(
        "",
        "Angaben zur Forderungsaufstellung",
        (
            FormField("fa.creditor", "Gläubiger", case.creditor.name),
            FormField("fa.debtor", "Schuldner", case.debtor.name),
            FormField(
                "fa.title",
                f"Vollstreckungstitel Nr. {title.number} (wie in Modul C)",
                title.describe(),
            ),
            FormField("fa.reference", "Geschäftszeichen", case.reference),
            FormField("fa.as_of", "Forderungsaufstellung zum", de_date(case.as_of)),
        ),
    )
    claims: list[FormItem] = []
    for claim in st.claims:
        claims += _claim_items(case, claim)
    if sections.titled_interest:
        claims.append(Note("Zinsen laut Titel (ausgerechnet)", heading=True))
        claims += _cost_table("titled_interest", sections.titled_interest)
    claims.append(
        Note(
            "Zahlungen des Schuldners sind nach § "
            + ("497 Abs. 3" if st.allocation == "bgb497" else "367")
            + " BGB verrechnet; angegeben ist die danach offene (Rest-)Forderung."
        )
    )
    modules = [
        head,
        FormModule("I.", "Hauptforderung(en)", tuple(claims)),
        FormModule(
            "III.",
            "Titulierte Kosten einschließlich dazugehöriger Nebenforderungen",
            tuple(_cost_table("titled_costs", sections.titled_costs)),
        ),
        FormModule(
            "IV.",
            "Kosten der bisherigen Zwangsvollstreckung",
            tuple(_cost_table("enforcement_costs", sections.enforcement_costs)),
        ),
        FormModule(
            "",
            "Zusammenstellung",
            (
                FormField(
                    "sum.principal", "Hauptforderung(en) offen (€)", de_amount(t.principal_open)
                ),
                FormField("sum.interest", "Zinsen offen (€)", de_amount(t.interest_open)),
                *(
                    [
                        FormField(
                            "sum.titled_interest",
                            "ausgerechnete Zinsen laut Titel offen (€)",
                            de_amount(titled_interest_open),
                        )
                    ]
                    if sections.titled_interest
                    else []
                ),
                FormField(
                    "sum.titled_costs", "titulierte Kosten offen (€)", de_amount(titled_open)
                ),
                FormField(
                    "sum.enforcement_costs",
                    "Kosten der bisherigen Zwangsvollstreckung offen (€)",
                    de_amount(enforcement_open),
                ),
                FormField("sum.total", "Gesamtbetrag (€)", de_amount(t.total_open)),
            ),
        ),
    ]
    return FormDocument(
        anlage=anlage.heading,
        title=anlage.form_title,
        notice=REPRODUCTION_NOTICE.format(anlage=f"Anlage {anlage.value}"),
        modules=tuple(modules),
        date=case.as_of,
        author=case.representative.name if case.representative else case.creditor.name,
        footer=f"Geschäftszeichen {case.reference}",
    )


def totals(case: EnforcementCase) -> dict[str, Decimal]:
    """The amounts the form prints in its Zusammenstellung, as ``Decimal`` (for checks)."""
    st = case.statement
    sections = Sections.of(st, case.titles[0])
    return {
        "principal": st.totals.principal_open,
        "interest": st.totals.interest_open,
        "titled_interest": sum((c.open for c in sections.titled_interest), ZERO),
        "titled_costs": sum((c.open for c in sections.titled_costs), ZERO),
        "enforcement_costs": sum((c.open for c in sections.enforcement_costs), ZERO),
        "total": st.totals.total_open,
    }


def render(case: EnforcementCase, anlage: Anlage, renderer: FormRenderer | None = None) -> bytes:
    """The Forderungsaufstellung alone as PDF."""
    return (renderer or FormRenderer()).render([form(case, anlage)])

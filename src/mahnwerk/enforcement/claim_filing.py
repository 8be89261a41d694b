"""Forderungsanmeldung zur Insolvenztabelle (§ 174 InsO), for a person to check and sign.

The claim is filed with the insolvency administrator (not the court) by the deadline the
opening decision sets (§ 28 Abs. 1 InsO), with its ground and amount (§ 174 Abs. 2 InsO).
Amounts, split as the issue asks: the open principal, the interest **up to the day before
the opening** (interest from the opening on ranks after the other claims, § 39 Abs. 1 Nr. 1
InsO, and is not filed), and the costs. All three come from the ledger's statement as of the
day before the opening, to the cent.

There is no official form: administrators accept any filing with these facts. A claim a
person marked as arising from an intentional tort is filed with that ground stated, since
only then is it excepted from the Restschuldbefreiung (§ 174 Abs. 2, § 302 Nr. 1 InsO).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mahnwerk.documents.forms import (
    CheckBox,
    FormDocument,
    FormField,
    FormItem,
    FormModule,
    FormRenderer,
    FormTable,
    Note,
)
from mahnwerk.domain import ledger
from mahnwerk.enforcement.values import (
    EnforcementCase,
    FormError,
    Problem,
    de_amount,
    de_date,
)

TITLE = "Anmeldung einer Forderung zur Insolvenztabelle (§ 174 InsO)"


@dataclass(frozen=True)
class ClaimFiling:
    """The case (statement day is set here: the day before the opening) and the proceedings."""

    case: EnforcementCase
    court: str
    file_number: str
    opened_on: date
    administrator: str
    claims_deadline: date | None = None
    tort_claims: tuple[str, ...] = ()
    """Claim ids a person marked as arising from an intentional tort (§ 302 Nr. 1 InsO)."""

    @property
    def as_of(self) -> date:
        return self.opened_on - timedelta(days=1)

    @property
    def statement(self) -> ledger.Statement:
        return ledger.compute_statement(self.case.ledger_case, self.as_of)


def problems(filing: ClaimFiling) -> list[Problem]:
    out: list[Problem] = []
    if not filing.court.strip():
        out.append(Problem("court", "Insolvenzgericht fehlt"))
    if not filing.file_number.strip():
        out.append(Problem("file_number", "Aktenzeichen des Insolvenzverfahrens fehlt"))
    if not filing.case.creditor.name.strip():
        out.append(Problem("creditor.name", "Name des Gläubigers fehlt"))
    if filing.statement.totals.total_open <= 0:
        out.append(Problem("statement", "am Tag vor der Eröffnung war nichts offen"))
    return out


def form(filing: ClaimFiling) -> FormDocument:
    found = problems(filing)
    if found:
        raise FormError(found)
    case = filing.case
    st = filing.statement
    t = st.totals
    rows = tuple(
        (
            c.id + (f" – {c.label}" if c.label else ""),
            de_amount(c.principal_open),
            de_amount(c.interest_open),
        )
        for c in st.claims
    )
    ground: list[FormItem] = []
    for c in st.claims:
        ground.append(
            CheckBox(
                f"tort[{c.id}]",
                f"Forderung {c.id} aus vorsätzlich begangener unerlaubter Handlung "
                "(§ 174 Abs. 2, § 302 Nr. 1 InsO)",
                c.id in filing.tort_claims,
            )
        )
    title_items: list[FormItem] = [
        FormField(f"title[{tr.number}]", "Vollstreckungstitel", tr.describe()) for tr in case.titles
    ] or [Note("kein Titel")]
    rep = case.representative
    modules = (
        FormModule(
            "",
            "Insolvenzverfahren",
            (
                FormField("court", "Insolvenzgericht", filing.court),
                FormField("file_number", "Aktenzeichen", filing.file_number),
                FormField("opened_on", "eröffnet am", de_date(filing.opened_on)),
                FormField("debtor", "Schuldner", case.debtor.name),
                FormField(
                    "debtor.birth_date",
                    "Geburtsdatum des Schuldners",
                    de_date(case.debtor.birth_date),
                ),
                FormField("administrator", "Insolvenzverwalter / Treuhänder", filing.administrator),
                FormField("claims_deadline", "Anmeldefrist", de_date(filing.claims_deadline)),
            ),
        ),
        FormModule(
            "",
            "Gläubiger",
            (
                FormField("creditor", "Name/Firma", case.creditor.name),
                FormField(
                    "creditor.address",
                    "Anschrift",
                    case.creditor.address.line() if case.creditor.address else "",
                ),
                FormField("agent", "vertreten durch", rep.name if rep else ""),
                FormField("reference", "Geschäftszeichen", case.reference),
                FormField(
                    "account",
                    "Bankverbindung (IBAN)",
                    case.creditor_account.iban if case.creditor_account else "",
                ),
            ),
        ),
        FormModule(
            "",
            "Angemeldete Forderung",
            (
                FormTable(
                    "claims",
                    ("Forderung", "Hauptforderung (€)", f"Zinsen bis {de_date(filing.as_of)} (€)"),
                    rows,
                    ("Summe", de_amount(t.principal_open), de_amount(t.interest_open)),
                ),
                FormField("sum.principal", "Hauptforderung (€)", de_amount(t.principal_open)),
                FormField(
                    "sum.interest",
                    f"Zinsen bis zum Tag vor der Eröffnung, {de_date(filing.as_of)} (€)",
                    de_amount(t.interest_open),
                ),
                FormField("sum.costs", "Kosten (€)", de_amount(t.costs_open)),
                FormField("sum.total", "angemeldeter Gesamtbetrag (€)", de_amount(t.total_open)),
                Note(
                    "Zinsen ab Eröffnung des Verfahrens werden nicht angemeldet (nachrangig, "
                    "§ 39 Abs. 1 Nr. 1 InsO)."
                ),
            ),
        ),
        FormModule("", "Grund der Forderung (§ 174 Abs. 2 InsO)", (*title_items, *ground)),
        FormModule(
            "",
            "Unterschrift",
            (
                FormField(
                    "place_date",
                    "Ort, Datum",
                    f"{case.place}, {de_date(case.as_of)}".lstrip(", "),
                ),
                FormField("signature", "Unterschrift", ""),
            ),
        ),
    )
    return FormDocument(
        anlage="Forderungsanmeldung",
        title=TITLE,
        notice="Erstellt von mahnwerk aus der Forderungsaufstellung; vor Versand prüfen und "
        "unterschreiben. Beizufügen: Titel in Kopie, Forderungsaufstellung.",
        modules=modules,
        date=case.as_of,
        author=rep.name if rep else case.creditor.name,
        footer=f"Geschäftszeichen {case.reference} · Az. {filing.file_number}",
    )


def render(filing: ClaimFiling, renderer: FormRenderer | None = None) -> bytes:
    return (renderer or FormRenderer()).render([form(filing)])

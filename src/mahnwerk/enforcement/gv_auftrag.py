"""Vollstreckungsauftrag an Gerichtsvollzieher: ZVFV Anlage 1, with the Forderungsaufstellung
(Anlage 6) that § 2 Abs. 2 ZVFV requires.

The order of the official form (court-and-enforcement.md 3.3): the first page without a
letter (addressee, debtor in short, who files and how to reach them, costs, the account for
collected money, place and date), then the modules **A** Gläubiger, **B** Schuldner,
**C** Vollstreckungstitel, **D** Anlagen, **E** Versicherungen, and the orders chosen:
**G** gütliche Erledigung (§ 802b ZPO), **H** Vermögensauskunft (§§ 802c, 802d ZPO),
**K** Vorpfändung (§ 845 ZPO), **L** Pfändung und Verwertung, **M** Ermittlung des
Aufenthaltsorts (§ 755 ZPO), **N** Drittauskünfte (§ 802l ZPO), then **P** the order in which
they are to be carried out. Modules not ordered are left out with their frame, as § 3 Abs. 2
Nr. 6 b ZVFV allows.

Module letters A, B, C, H, I, K, L, M, N, P are confirmed by two practice sources; D, E, F, G,
J, O, Q come from one commentary (haufe.de) and are UNVERIFIED (legal-facts.md 6.1): they are
listed in :data:`UNVERIFIED_LETTERS` and must be checked against the BMJ Hinweisblatt.

The assurance of authority is cited as § 753a Satz 1 ZPO, the law of the 2024 form and of the
mirrored ZPO text (2026-08-19); the change to § 752a Abs. 1 announced for 2026-10-01 is
UNVERIFIED and not applied.

>>> Module.ASSET_DISCLOSURE.heading_text
'Vermögensauskunft'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mahnwerk.documents.forms import (
    CheckBox,
    FormDocument,
    FormField,
    FormItem,
    FormModule,
    FormRenderer,
    Note,
)
from mahnwerk.enforcement import forderungsaufstellung as fa
from mahnwerk.enforcement.values import (
    REPRODUCTION_NOTICE,
    SIMPLIFIED_LIMIT,
    EnforcementCase,
    FormError,
    Party,
    Problem,
    de_date,
)

ANLAGE = "Anlage 1 (zu § 1 Absatz 1)"
TITLE = "Vollstreckungsauftrag an Gerichtsvollzieher"
#: Module letters from a single commentary source (legal-facts.md 6.1): UNVERIFIED.
UNVERIFIED_LETTERS = frozenset("DEFGJOQ")


class Module(StrEnum):
    """The orders a bailiff can be given (the value is the module letter)."""

    AMICABLE = "G"
    ASSET_DISCLOSURE = "H"
    PRE_GARNISHMENT = "K"
    SEIZURE = "L"
    RESIDENCE = "M"
    THIRD_PARTY_INFO = "N"

    @property
    def heading_text(self) -> str:
        return _MODULE_TITLES[self]


_MODULE_TITLES = {
    Module.AMICABLE: "Gütliche Erledigung (§ 802b ZPO)",
    Module.ASSET_DISCLOSURE: "Vermögensauskunft",
    Module.PRE_GARNISHMENT: "Vorpfändung (§ 845 ZPO)",
    Module.SEIZURE: "Pfändung und Verwertung körperlicher Sachen",
    Module.RESIDENCE: "Ermittlung des Aufenthaltsorts des Schuldners (§ 755 ZPO)",
    Module.THIRD_PARTY_INFO: "Einholung von Drittauskünften (§ 802l ZPO)",
}


@dataclass(frozen=True)
class BailiffOrder:
    """One Vollstreckungsauftrag: the case, the modules in the order they are to be done."""

    case: EnforcementCase
    modules: tuple[Module, ...]
    court: str = ""
    """The Amtsgericht whose Verteilungsstelle gets the order (the debtor's residence)."""
    further_disclosure_reason: str = ""
    """§ 802d Abs. 1 ZPO: facts showing a material change, if the last Vermögensauskunft is
    less than two years old."""
    last_disclosure: date | None = None
    """Day of the debtor's last Vermögensauskunft, if it is less than two years ago."""
    seizure_first: bool = False
    """Vermögensauskunft only after an attempt to seize (§ 807 ZPO) instead of at once."""
    payment_agreement_allowed: bool = True
    attend_hearing: bool = False
    simplified: bool = False
    """§ 754a ZPO: electronic order from a Vollstreckungsbescheid without its original."""
    instructions: str = ""


def problems(order: BailiffOrder) -> list[Problem]:
    out = fa.problems(order.case)
    if not order.modules:
        out.append(Problem("modules", "kein Auftrag gewählt (Module G, H, K, L, M, N)"))
    if len(set(order.modules)) != len(order.modules):
        out.append(Problem("modules", "ein Modul ist doppelt gewählt"))
    if order.simplified:
        if {t.kind for t in order.case.titles} != {"vollstreckungsbescheid"}:
            out.append(Problem("simplified", "§ 754a ZPO gilt nur für Vollstreckungsbescheide"))
        elif not out and fa.totals(order.case)["total"] > SIMPLIFIED_LIMIT:
            out.append(Problem("simplified", "§ 754a ZPO nur bis 5.000 €: Ausfertigung beifügen"))
    if (
        Module.ASSET_DISCLOSURE in order.modules
        and order.further_disclosure_reason == ""
        and order.last_disclosure is not None
    ):
        out.append(
            Problem(
                "further_disclosure_reason",
                "die letzte Vermögensauskunft ist jünger als zwei Jahre: eine wesentliche "
                "Veränderung ist glaubhaft zu machen (§ 802d Abs. 1 ZPO)",
            )
        )
    return out


def _salutation_boxes(key: str, party: Party) -> list[FormItem]:
    sal = "Unternehmen" if party.kind == "legal" else party.salutation
    return [
        CheckBox(f"{key}.herr", "Herr", sal == "Herr"),
        CheckBox(f"{key}.frau", "Frau", sal == "Frau"),
        CheckBox(f"{key}.unternehmen", "Unternehmen", sal == "Unternehmen"),
        CheckBox(f"{key}.sonstige", "Sonstige", sal == "Sonstige"),
    ]


def _address(party: Party) -> str:
    return party.address.line() if party.address else ""


def _first_page(order: BailiffOrder) -> FormModule:
    case = order.case
    rep = case.representative
    debtor = case.debtor
    court = order.court or (
        f"zuständig für den Wohnsitz des Schuldners ({debtor.address.postcode} "
        f"{debtor.address.city})"
        if debtor.address
        else ""
    )
    items: list[FormItem] = [
        FormField(
            "p1.court",
            "An das Amtsgericht – Verteilungsstelle für Gerichtsvollzieheraufträge –",
            court,
        ),
        Note("Vollstreckungsauftrag gegen", heading=True),
        *_salutation_boxes("p1.debtor", debtor),
        FormField("p1.debtor.name", "Name/Firma des Schuldners", debtor.name),
        FormField("p1.debtor.address", "Anschrift des Schuldners", _address(debtor)),
        Note("Der Auftrag wird erteilt durch", heading=True),
        CheckBox("p1.by.creditor", "Gläubiger", rep is None),
        CheckBox("p1.by.legal_rep", "gesetzlichen Vertreter", False),
        CheckBox("p1.by.agent", "Bevollmächtigten", rep is not None),
        FormField("p1.contact.name", "Name/Firma", rep.name if rep else case.creditor.name),
        FormField(
            "p1.contact.address",
            "Anschrift",
            (rep.address.line() if rep and rep.address else _address(case.creditor)),
        ),
        FormField("p1.contact.phone", "Telefon", rep.phone if rep else ""),
        FormField("p1.contact.email", "E-Mail", rep.email if rep else ""),
        FormField("p1.contact.safe_id", "SAFE-ID", rep.safe_id if rep else ""),
        FormField("p1.reference", "Geschäftszeichen", case.reference),
        Note("Gerichtsvollzieherkosten", heading=True),
        CheckBox("p1.costs.sepa", "Einzug per SEPA-Lastschrift (Mandat liegt bei)", False),
        CheckBox("p1.costs.exempt", "Kostenbefreiung", False),
        Note("Bankverbindung für die Weiterleitung eingezogener Beträge", heading=True),
    ]
    acct = case.creditor_account
    items += [
        FormField("p1.account.holder", "Kontoinhaber", acct.holder if acct else ""),
        FormField("p1.account.iban", "IBAN", acct.iban if acct else ""),
        FormField("p1.account.bic", "BIC", acct.bic if acct else ""),
        FormField(
            "p1.place_date", "Ort, Datum", f"{case.place}, {de_date(case.as_of)}".lstrip(", ")
        ),
    ]
    return FormModule("", TITLE, tuple(items))


def _module_a(case: EnforcementCase) -> FormModule:
    c = case.creditor
    return FormModule(
        "A",
        "Gläubiger",
        (
            FormField("a.name", "Name/Firma", c.name),
            FormField("a.address", "Anschrift", _address(c)),
            FormField("a.represented_by", "gesetzlich vertreten durch", c.represented_by),
            FormField("a.register", "Registergericht und Registernummer", c.register),
            CheckBox(
                "a.no_input_vat",
                "Der Gläubiger ist nicht zum Vorsteuerabzug berechtigt.",
                not case.creditor_vat_deductible,
            ),
            FormField(
                "a.agent",
                "Bevollmächtigter",
                case.representative.name if case.representative else "",
            ),
        ),
    )


def _module_b(case: EnforcementCase) -> FormModule:
    d = case.debtor
    return FormModule(
        "B",
        "Schuldner",
        (
            FormField("b.last_name", "Name/Firma", d.last_name if d.kind == "natural" else d.name),
            FormField("b.first_name", "Vorname(n)", d.first_name),
            FormField("b.address", "Anschrift", _address(d)),
            FormField("b.birth_date", "Geburtsdatum", de_date(d.birth_date)),
            FormField("b.birth_place", "Geburtsort", d.birth_place),
            FormField("b.register", "Registergericht und Registernummer", d.register),
            FormField("b.represented_by", "gesetzlich vertreten durch", d.represented_by),
        ),
    )


def _module_c(case: EnforcementCase) -> FormModule:
    items: list[FormItem] = []
    for t in case.titles:
        k = f"c.title[{t.number}]"
        items += [
            Note(f"Vollstreckungstitel Nr. {t.number}", heading=True),
            FormField(f"{k}.kind", "Art des Titels", t.kind_text),
            FormField(f"{k}.issuer", "Gericht, Notar oder Behörde", t.issuer),
            FormField(f"{k}.issued", "Datum", de_date(t.issued)),
            FormField(f"{k}.file_no", "Geschäftszeichen", t.file_no),
            FormField(f"{k}.served", "zugestellt am", de_date(t.served)),
        ]
    items.append(
        FormField(
            "c.statements",
            "Anzahl der beigefügten Forderungsaufstellungen (Anlage 6)",
            str(len(case.titles)),
        )
    )
    return FormModule("C", "Vollstreckungstitel", tuple(items))


def _module_d(order: BailiffOrder) -> FormModule:
    totals = fa.totals(order.case)
    return FormModule(
        "D",
        "Anlagen",
        (
            CheckBox("d.title", "vollstreckbare Ausfertigung des Titels", not order.simplified),
            CheckBox(
                "d.title_copy",
                "Abschrift des Vollstreckungsbescheids mit Zustellungsbescheinigung "
                "(elektronisches Dokument, § 754a ZPO)",
                order.simplified,
            ),
            CheckBox("d.statement", "Forderungsaufstellung (Anlage 6)", True),
            CheckBox("d.power", "Vollmacht", False),
            CheckBox(
                "d.enforcement_costs",
                "Belege über Kosten der bisherigen Zwangsvollstreckung",
                totals["enforcement_costs"] > 0,
            ),
        ),
    )


def _module_e(order: BailiffOrder) -> FormModule:
    rep = order.case.representative
    return FormModule(
        "E",
        "Versicherungen",
        (
            CheckBox(
                "e.authority",
                "Die ordnungsgemäße Bevollmächtigung wird versichert (§ 753a Satz 1 ZPO).",
                rep is not None,
            ),
            CheckBox(
                "e.simplified",
                "Es wird versichert, dass eine Ausfertigung des Vollstreckungsbescheids und eine "
                "Zustellungsbescheinigung vorliegen und die Forderung in Höhe des Auftrags noch "
                "besteht (§ 754a Abs. 1 Satz 1 Nr. 4 ZPO).",
                order.simplified,
            ),
        ),
    )


def _order_module(order: BailiffOrder, module: Module) -> FormModule:
    k = f"m.{module.value.lower()}"
    items: list[FormItem]
    if module is Module.AMICABLE:
        items = [
            CheckBox(f"{k}.alone", "gütliche Erledigung isoliert", order.modules == (module,)),
            CheckBox(
                f"{k}.combined",
                "gütliche Erledigung mit weiteren Aufträgen",
                len(order.modules) > 1,
            ),
            CheckBox(
                f"{k}.agreement_allowed",
                "Zahlungsvereinbarung gestattet",
                order.payment_agreement_allowed,
            ),
            CheckBox(
                f"{k}.agreement_excluded",
                "Zahlungsvereinbarung nicht gestattet",
                not order.payment_agreement_allowed,
            ),
        ]
    elif module is Module.ASSET_DISCLOSURE:
        further = bool(order.further_disclosure_reason)
        items = [
            CheckBox(f"{k}.802c", "Abnahme der Vermögensauskunft (§ 802c ZPO)", not further),
            CheckBox(f"{k}.802d", "Abnahme der weiteren Vermögensauskunft (§ 802d ZPO)", further),
            FormField(
                f"{k}.reason",
                "Tatsachen für eine wesentliche Veränderung der Vermögensverhältnisse",
                order.further_disclosure_reason,
            ),
            CheckBox(
                f"{k}.after_seizure",
                "nach vorherigem Pfändungsversuch (§ 807 ZPO)",
                order.seizure_first,
            ),
            CheckBox(
                f"{k}.without_seizure", "ohne vorherigen Pfändungsversuch", not order.seizure_first
            ),
            CheckBox(f"{k}.attend", "Teilnahme am Termin", order.attend_hearing),
        ]
    elif module is Module.PRE_GARNISHMENT:
        items = [
            CheckBox(
                f"{k}.all",
                "Anfertigung der Benachrichtigung über alle pfändbaren Forderungen",
                True,
            )
        ]
    elif module is Module.SEIZURE:
        items = [CheckBox(f"{k}.all", "Pfändung und Verwertung körperlicher Sachen", True)]
    elif module is Module.RESIDENCE:
        items = [CheckBox(f"{k}.registry", "Anfrage bei der Meldebehörde (§ 755 Abs. 1 ZPO)", True)]
    else:
        items = [
            CheckBox(
                f"{k}.pension",
                "Träger der gesetzlichen Rentenversicherung: Arbeitgeber (§ 802l Abs. 1 Nr. 1)",
                True,
            ),
            CheckBox(
                f"{k}.bzst",
                "Bundeszentralamt für Steuern: Konten und Depots (§ 802l Abs. 1 Nr. 2)",
                True,
            ),
            CheckBox(f"{k}.kba", "Kraftfahrt-Bundesamt: Fahrzeuge (§ 802l Abs. 1 Nr. 3)", True),
        ]
    return FormModule(module.value, module.heading_text, tuple(items))


def _module_p(order: BailiffOrder) -> FormModule:
    return FormModule(
        "P",
        "Reihenfolge der Aufträge",
        tuple(
            FormField(f"p.order[{i}]", f"{i}.", f"Modul {m.value}: {m.heading_text}")
            for i, m in enumerate(order.modules, start=1)
        ),
    )


def form(order: BailiffOrder) -> FormDocument:
    """Anlage 1 as a form document; :class:`FormError` lists every problem."""
    found = problems(order)
    if found:
        raise FormError(found)
    case = order.case
    modules = [
        _first_page(order),
        _module_a(case),
        _module_b(case),
        _module_c(case),
        _module_d(order),
        _module_e(order),
        *(_order_module(order, m) for m in sorted(order.modules, key=lambda m: m.value)),
        _module_p(order),
    ]
    if order.instructions:
        modules.append(
            FormModule(
                "Q", "Hinweise und Vorgaben", (FormField("q.text", "Hinweise", order.instructions),)
            )
        )
    return FormDocument(
        anlage=ANLAGE,
        title=TITLE,
        notice=REPRODUCTION_NOTICE.format(anlage="Anlage 1"),
        modules=tuple(modules),
        date=case.as_of,
        author=case.representative.name if case.representative else case.creditor.name,
        footer=f"Geschäftszeichen {case.reference}",
    )


def documents(order: BailiffOrder) -> list[FormDocument]:
    """Anlage 1 with its Anlage 6 (one per title)."""
    return [form(order), fa.form(order.case, fa.Anlage.BAILIFF)]


def render(order: BailiffOrder, renderer: FormRenderer | None = None) -> bytes:
    """The order and its Forderungsaufstellung as one PDF."""
    return (renderer or FormRenderer()).render(documents(order))

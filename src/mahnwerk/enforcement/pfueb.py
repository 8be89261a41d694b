"""Antrag auf Erlass eines Pfändungs- und Überweisungsbeschlusses: ZVFV Anlage 4, with the
draft Beschluss (Anlage 5) and the Forderungsaufstellung (Anlage 7) that § 2 Abs. 4 ZVFV
requires with it.

Anlage 4 in the order of the official form (court-and-enforcement.md 3.4): the Amtsgericht as
Vollstreckungsgericht, the court fee, the debtor and whether a Vorpfändung exists, who files
and how to reach them, the requests (service through the court's office, the third-party
declaration of § 840 ZPO), the number of Forderungsaufstellungen, how the title reaches the
court, the attachments and the assurances.

Anlage 5 is reproduced with the modules an employer's or a bank's garnishment needs: A
Gläubiger (with the account for payments), B Schuldner, C Vollstreckungstitel, the
Drittschuldner, the attached claim (Arbeitseinkommen, claim module E; or claims against a
Kreditinstitut, claim module H, the letters of the XJustiz 2600 bindings, legal-facts.md 6.1),
the orders to hand over documents, and Überweisung zur Einziehung. The maintenance parts
(§ 850d ZPO) and the other claim modules are left out with their frames (§ 3 Abs. 2 Nr. 6 b
ZVFV). The exemption follows the table of § 850c Abs. 5 S. 3 ZPO (the court may refer to it).

Note: the issue reads "Anlage 5 for Unterhalt"; under § 1 Abs. 4 and § 2 Abs. 4 ZVFV the
maintenance form is Anlage 8, and Anlage 5 (the draft) goes with every application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
    Drittschuldner,
    EnforcementCase,
    FormError,
    Problem,
    de_date,
)

ANLAGE_4 = "Anlage 4 (zu § 1 Absatz 3)"
TITLE_4 = (
    "Antrag auf Erlass eines Pfändungsbeschlusses und eines Pfändungs- und Überweisungsbeschlusses"
)
ANLAGE_5 = "Anlage 5 (zu § 1 Absatz 3)"
TITLE_5 = "Entwurf eines Pfändungsbeschlusses und eines Pfändungs- und Überweisungsbeschlusses"
DRITTSCHULDNER_KINDS = ("employer", "bank")

WAGE_CLAIM = (
    "Forderung auf Zahlung des gesamten gegenwärtigen und künftigen Arbeitseinkommens "
    "(einschließlich des Geldwertes von Sachbezügen) aus dem Arbeitsverhältnis, "
    "berechnet nach § 850e ZPO; pfändbar nach der Tabelle zu § 850c Abs. 5 Satz 3 ZPO."
)
BANK_CLAIM = (
    "Forderungen auf Auszahlung der gegenwärtigen und künftigen Guthaben aller bei dem "
    "Drittschuldner geführten Konten des Schuldners einschließlich der Ansprüche auf "
    "Gutschrift eingehender Beträge; bei einem Pfändungsschutzkonto gelten §§ 850k, 899 ff. ZPO."
)


@dataclass(frozen=True)
class GarnishmentApplication:
    """One PfÜB application against one Drittschuldner."""

    case: EnforcementCase
    drittschuldner: Drittschuldner
    court: str = ""
    """The Amtsgericht as Vollstreckungsgericht (the debtor's general venue, § 828 Abs. 2 ZPO)."""
    pre_garnishment_on: date | None = None
    """Day a Vorpfändung (§ 845 ZPO) was served, if any."""
    simplified: bool = False
    """§ 829a ZPO: electronic application from a Vollstreckungsbescheid up to 5,000 €."""


def problems(app: GarnishmentApplication) -> list[Problem]:
    out = fa.problems(app.case)
    d = app.drittschuldner
    if d.kind not in DRITTSCHULDNER_KINDS:
        out.append(Problem("drittschuldner.kind", "Drittschuldner: Arbeitgeber oder Bank"))
    if not d.name.strip():
        out.append(Problem("drittschuldner.name", "Name des Drittschuldners fehlt"))
    if d.address is None:
        out.append(Problem("drittschuldner.address", "Anschrift des Drittschuldners fehlt"))
    if app.simplified and {t.kind for t in app.case.titles} != {"vollstreckungsbescheid"}:
        out.append(Problem("simplified", "§ 829a ZPO gilt nur für Vollstreckungsbescheide"))
    elif app.simplified and not out and fa.totals(app.case)["total"] > SIMPLIFIED_LIMIT:
        out.append(Problem("simplified", "§ 829a ZPO nur bis 5.000 €: Ausfertigung beifügen"))
    return out


def _court(app: GarnishmentApplication) -> str:
    debtor = app.case.debtor
    if app.court:
        return app.court
    if debtor.address:
        where = f"{debtor.address.postcode} {debtor.address.city}"
        return f"zuständig für den Wohnsitz des Schuldners ({where})"
    return ""


def anlage_4(app: GarnishmentApplication) -> FormDocument:
    case = app.case
    rep = case.representative
    debtor = case.debtor
    totals = fa.totals(case)
    items: list[FormItem] = [
        FormField("p4.court", "An das Amtsgericht – Vollstreckungsgericht –", _court(app)),
        Note("Gerichtskosten", heading=True),
        CheckBox("p4.fee.stamp", "Gerichtskostenstempler", False),
        CheckBox("p4.fee.mark", "elektronische Kostenmarke", False),
        CheckBox("p4.fee.sepa", "SEPA-Lastschriftmandat", False),
        CheckBox("p4.fee.exempt", "Kostenbefreiung", False),
        Note("Antrag gegen", heading=True),
        FormField("p4.debtor.name", "Name/Firma des Schuldners", debtor.name),
        FormField(
            "p4.debtor.address",
            "Anschrift des Schuldners",
            debtor.address.line() if debtor.address else "",
        ),
        CheckBox(
            "p4.pre_garnishment.yes",
            "Eine Vorpfändung ist erfolgt am " + de_date(app.pre_garnishment_on)
            if app.pre_garnishment_on
            else "Eine Vorpfändung ist erfolgt",
            app.pre_garnishment_on is not None,
        ),
        CheckBox(
            "p4.pre_garnishment.no",
            "Eine Vorpfändung ist nicht erfolgt",
            app.pre_garnishment_on is None,
        ),
        Note("Der Antrag wird gestellt durch", heading=True),
        CheckBox("p4.by.creditor", "Gläubiger", rep is None),
        CheckBox("p4.by.legal_rep", "gesetzlichen Vertreter", False),
        CheckBox("p4.by.agent", "Bevollmächtigten", rep is not None),
        FormField("p4.contact.name", "Name/Firma", rep.name if rep else case.creditor.name),
        FormField(
            "p4.contact.address",
            "Anschrift",
            rep.address.line()
            if rep and rep.address
            else (case.creditor.address.line() if case.creditor.address else ""),
        ),
        FormField("p4.reference", "Geschäftszeichen", case.reference),
        FormField("p4.contact.phone", "Telefon", rep.phone if rep else ""),
        FormField("p4.contact.email", "E-Mail", rep.email if rep else ""),
        FormField("p4.contact.safe_id", "SAFE-ID", rep.safe_id if rep else ""),
        Note("Es wird beantragt,", heading=True),
        CheckBox(
            "p4.request.order",
            "den beigefügten Entwurf eines Pfändungs- und Überweisungsbeschlusses (Anlage 5) "
            "zu erlassen",
            True,
        ),
        CheckBox(
            "p4.request.service",
            "die Zustellung durch Vermittlung der Geschäftsstelle (§ 829 Abs. 2 Satz 1, "
            "§ 840 Abs. 2 Satz 1 ZPO) zu veranlassen",
            True,
        ),
        CheckBox(
            "p4.request.declaration",
            "den Drittschuldner zur Erklärung nach § 840 ZPO aufzufordern",
            True,
        ),
        CheckBox("p4.request.pkh", "Prozesskostenhilfe zu bewilligen", False),
        FormField(
            "p4.statements",
            "Anzahl der beigefügten Forderungsaufstellungen (Anlage 7 oder 8)",
            str(len(case.titles)),
        ),
        Note("Der Vollstreckungstitel", heading=True),
        CheckBox(
            "p4.title.electronic",
            "ist als elektronisches Dokument beigefügt (§ 829a ZPO)",
            app.simplified,
        ),
        CheckBox("p4.title.post", "wird in Papierform übersandt", not app.simplified),
        Note("Anlagen", heading=True),
        CheckBox("p4.att.draft", "Entwurf des Beschlusses (Anlage 5)", True),
        CheckBox("p4.att.statement", "Forderungsaufstellung (Anlage 7)", True),
        CheckBox("p4.att.title", "vollstreckbare Ausfertigung des Titels", not app.simplified),
        CheckBox(
            "p4.att.costs",
            "Belege über Kosten der bisherigen Zwangsvollstreckung",
            totals["enforcement_costs"] > 0,
        ),
        Note("Versicherungen", heading=True),
        CheckBox(
            "p4.assure.authority",
            "Die ordnungsgemäße Bevollmächtigung wird versichert (§ 753a Satz 1 ZPO).",
            rep is not None,
        ),
        CheckBox(
            "p4.assure.simplified",
            "Es wird versichert, dass eine Ausfertigung des Vollstreckungsbescheids und eine "
            "Zustellungsbescheinigung vorliegen und die Forderung in Höhe des Antrags noch "
            "besteht (§ 829a Abs. 1 Satz 1 Nr. 4 ZPO).",
            app.simplified,
        ),
        FormField(
            "p4.place_date", "Ort, Datum", f"{case.place}, {de_date(case.as_of)}".lstrip(", ")
        ),
    ]
    return FormDocument(
        anlage=ANLAGE_4,
        title=TITLE_4,
        notice=REPRODUCTION_NOTICE.format(anlage="Anlage 4"),
        modules=(FormModule("", TITLE_4, tuple(items)),),
        date=case.as_of,
        author=rep.name if rep else case.creditor.name,
        footer=f"Geschäftszeichen {case.reference}",
    )


def anlage_5(app: GarnishmentApplication) -> FormDocument:
    case = app.case
    c, d, ds = case.creditor, case.debtor, app.drittschuldner
    acct = case.creditor_account
    employer = ds.kind == "employer"
    modules = [
        FormModule(
            "A",
            "Gläubiger",
            (
                FormField("a5.name", "Name/Firma", c.name),
                FormField("a5.address", "Anschrift", c.address.line() if c.address else ""),
                FormField("a5.account.iban", "Zahlungskonto: IBAN", acct.iban if acct else ""),
                FormField("a5.account.bic", "BIC", acct.bic if acct else ""),
                FormField(
                    "a5.agent",
                    "Bevollmächtigter",
                    case.representative.name if case.representative else "",
                ),
            ),
        ),
        FormModule(
            "B",
            "Schuldner",
            (
                FormField("b5.name", "Name/Firma", d.name),
                FormField("b5.address", "Anschrift", d.address.line() if d.address else ""),
                FormField("b5.birth_date", "Geburtsdatum", de_date(d.birth_date)),
            ),
        ),
        FormModule(
            "C",
            "Vollstreckungstitel",
            (
                *(
                    FormField(
                        f"c5.title[{t.number}]", f"Vollstreckungstitel Nr. {t.number}", t.describe()
                    )
                    for t in case.titles
                ),
                Note("Wegen der Forderungen laut Forderungsaufstellung (Anlage 7)."),
            ),
        ),
        FormModule(
            "",
            "Drittschuldner",
            (
                FormField("ds.name", "Name/Firma", ds.name),
                FormField("ds.address", "Anschrift", ds.address.line() if ds.address else ""),
                FormField("ds.safe_id", "SAFE-ID", ds.safe_id),
                FormField(
                    "ds.modules",
                    "Modulbuchstaben der gepfändeten Forderungen",
                    "E" if employer else "H",
                ),
            ),
        ),
        FormModule(
            "E" if employer else "H",
            "Forderung aus Arbeitseinkommen" if employer else "Forderungen gegen Kreditinstitute",
            (Note(WAGE_CLAIM if employer else BANK_CLAIM),),
        ),
        FormModule(
            "",
            "Anordnungen",
            (
                CheckBox(
                    "an.documents",
                    "Der Schuldner hat die Lohn- oder Gehaltsabrechnungen herauszugeben."
                    if employer
                    else "Der Schuldner hat die Kontoauszüge herauszugeben.",
                    True,
                ),
                CheckBox(
                    "an.collection",
                    "Die gepfändete Forderung wird zur Einziehung überwiesen.",
                    True,
                ),
                CheckBox("an.in_lieu", "Überweisung an Zahlungs statt", False),
            ),
        ),
    ]
    return FormDocument(
        anlage=ANLAGE_5,
        title=TITLE_5,
        notice=REPRODUCTION_NOTICE.format(anlage="Anlage 5")
        + " Nicht benötigte Module (Unterhalt, weitere Forderungsarten) sind nach § 3 Abs. 2 "
        "Nr. 6 b ZVFV weggelassen.",
        modules=tuple(modules),
        date=case.as_of,
        author=case.representative.name if case.representative else c.name,
        footer=f"Geschäftszeichen {case.reference}",
    )


def documents(app: GarnishmentApplication) -> list[FormDocument]:
    """Anlage 4, the draft Anlage 5 and the Forderungsaufstellung (Anlage 7)."""
    found = problems(app)
    if found:
        raise FormError(found)
    return [anlage_4(app), anlage_5(app), fa.form(app.case, fa.Anlage.GARNISHMENT)]


def render(app: GarnishmentApplication, renderer: FormRenderer | None = None) -> bytes:
    return (renderer or FormRenderer()).render(documents(app))

"""Creditor set-up without code: everything a creditor's letters and payouts need, set on
the creditor's admin page, by API (a staff key) or by ``mahnwerk creditor add|set|show``,
and one check of it that the daily run and the administrator's page share.

Where the values live (``creditor`` row and its ``settings``; older keys are kept as they
were, so letters, the portal and payouts read the same places as before):

- ``creditor.name`` (legal name), ``creditor.email`` (contact e-mail), ``creditor.iban``
  (payout account, read by :mod:`mahnwerk.services.banking.payouts`);
- ``settings["address"]`` (``"Straße 1, 12345 Ort"``), ``settings["address_withheld_reason"]``;
- ``settings["contact"]``: ``person``, ``phone``;
- ``settings["payment_account"]``: the account debtors pay to, ``holder``/``iban``/``bic``, or
  ``{"trust": true}`` for the agency's trust account (``MAHNWERK_AGENCY_IBAN``/``…_BIC``);
- ``settings["payout_account"]``: ``bic`` (and ``holder``) of the payout account;
- ``settings["strategy"]``; ``settings["plan_limits"]``: ``max_months``, ``min_instalment``;
- the fee arrangement of :class:`mahnwerk.services.banking.payouts.Contract`:
  ``commission_percent``, ``commission_on``, ``fees_retained``;
- ``settings["letterhead"]``: ``register`` (Handelsregister), ``representative``
  (Vertretungsberechtigte), ``vat_id``.

:func:`creditor_problems` is pure (values in, problems out): a problem that
``blocks_letters`` means no letter, e-mail or text message of this creditor can go out
(§ 13a RDG wants the creditor's name and address, and every demand names an account); the
run holds those messages back and says why at its start (:func:`blocked_creditors`).

>>> agency = Agency("Inkasso Nord GmbH", "Am Sande 4, 21335 Lüneburg", iban="", bic="")
>>> for p in creditor_problems("Stadtwerke", {}, agency):
...     print(p.field, p.message)
address Anschrift fehlt (Straße Nr., PLZ Ort)
iban Zahlungskonto fehlt (eigenes Konto oder Treuhandkonto der Agentur)
>>> creditor_problems("Stadtwerke", {"address": "Werkstraße 1, 12345 Musterstadt",
...     "payment_account": {"holder": "Stadtwerke", "iban": "DE89370400440532013000",
...     "bic": "COBADEFFXXX"}}, agency, payout_iban="DE89370400440532013000")
[]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.banking.iban import bic_for, format_iban, normalize_iban, validate_iban
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor
from mahnwerk.services.admin import accounts
from mahnwerk.store.models import Case, Creditor

if TYPE_CHECKING:
    from mahnwerk.config import Settings

#: ``"Straße 1, 12345 Ort"``: how addresses are written in settings (letters parse it so)
ADDRESS = re.compile(r"^\s*(?P<street>.+?),\s*(?P<postcode>\d{5})\s+(?P<city>.+?)\s*$")
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COMMISSION_BASES = ("principal", "principal_and_interest", "collected")
#: every field that can be set, in the order of the admin page and ``creditor show``
FIELDS = (
    "name",
    "email",
    "contact_person",
    "phone",
    "address",
    "address_withheld_reason",
    "trust_account",
    "holder",
    "iban",
    "bic",
    "payout_iban",
    "payout_bic",
    "strategy",
    "max_months",
    "min_instalment",
    "commission_percent",
    "commission_on",
    "fees_retained",
    "register",
    "representative",
    "vat_id",
)
LABELS = {
    "name": "Name (rechtlich)",
    "email": "E-Mail",
    "contact_person": "Ansprechpartner",
    "phone": "Telefon",
    "address": "Anschrift",
    "address_withheld_reason": "Grund, die Anschrift nicht zu nennen",
    "trust_account": "Zahlungen auf das Treuhandkonto der Agentur",
    "holder": "Kontoinhaber (Zahlungskonto)",
    "iban": "IBAN (Zahlungskonto)",
    "bic": "BIC (Zahlungskonto)",
    "payout_iban": "IBAN (Auszahlungskonto)",
    "payout_bic": "BIC (Auszahlungskonto)",
    "strategy": "Mahnstrategie",
    "max_months": "Raten: höchstens Monate",
    "min_instalment": "Raten: mindestens je Rate",
    "commission_percent": "Provision in Prozent",
    "commission_on": "Provision auf",
    "fees_retained": "Inkassokosten bleiben bei der Agentur",
    "register": "Registereintrag",
    "representative": "Vertreten durch",
    "vat_id": "USt-IdNr.",
}
DEFAULT_STRATEGY = "standard"


class SetupError(ValueError):
    """Input that cannot be stored: ``errors`` maps each field to its German message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{LABELS.get(k, k)}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Agency:
    """The agency's own details (from settings): the sender of every letter."""

    name: str
    address: str
    email: str = ""
    phone: str = ""
    registration: str = ""
    iban: str = ""
    bic: str = ""

    @staticmethod
    def of(settings: Settings) -> Agency:
        return Agency(
            name=settings.agency_name,
            address=settings.agency_address,
            email=settings.agency_email,
            phone=settings.agency_phone,
            registration=settings.agency_registration,
            iban=settings.agency_iban,
            bic=settings.agency_bic,
        )


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    blocks_letters: bool = True


#: the agency's settings, their environment variables and what they are for
AGENCY_SETTINGS = (
    ("name", "MAHNWERK_AGENCY_NAME", "Absender jedes Schreibens"),
    ("address", "MAHNWERK_AGENCY_ADDRESS", "Anschrift im Briefkopf (Straße Nr., PLZ Ort)"),
    ("email", "MAHNWERK_AGENCY_EMAIL", "Kontakt in Briefen und E-Mails"),
    ("phone", "MAHNWERK_AGENCY_PHONE", "Kontakt in Briefen"),
    ("registration", "MAHNWERK_AGENCY_REGISTRATION", "Registrierung nach § 10 RDG"),
    ("iban", "MAHNWERK_AGENCY_IBAN", "Treuhandkonto"),
    ("bic", "MAHNWERK_AGENCY_BIC", "BIC des Treuhandkontos"),
)


def agency_problems(agency: Agency) -> list[Problem]:
    """What is missing or wrong in the agency's own details (none of it stops a letter by
    itself; the trust account matters to the creditors that use it)."""
    problems = []
    for key, env, purpose in AGENCY_SETTINGS:
        if not str(getattr(agency, key)).strip():
            problems.append(Problem(key, f"{env} fehlt ({purpose})", False))
    if agency.address.strip() and not ADDRESS.match(agency.address):
        problems.append(
            Problem("address", "MAHNWERK_AGENCY_ADDRESS: als „Straße 1, 12345 Ort“ angeben", False)
        )
    if agency.iban.strip() and (wrong := validate_iban(agency.iban)):
        problems.append(Problem("iban", "MAHNWERK_AGENCY_IBAN: " + "; ".join(wrong), False))
    if agency.bic.strip() and not _BIC.match(agency.bic.replace(" ", "").upper()):
        problems.append(Problem("bic", "MAHNWERK_AGENCY_BIC: keine gültige BIC", False))
    return problems


def payment_account(
    name: str, settings: Mapping[str, Any] | None, agency: Agency | None
) -> dict[str, str]:
    """The account debtors pay to (``holder``, ``iban``, ``bic``): the creditor's own, or
    the agency's trust account; empty values where nothing is set."""
    raw = dict((settings or {}).get("payment_account") or {})
    if raw.get("trust"):
        if agency is None:
            return {"holder": "", "iban": "", "bic": ""}
        return {
            "holder": f"{agency.name} – Treuhandkonto",
            "iban": normalize_iban(agency.iban),
            "bic": agency.bic.replace(" ", "").upper() or (bic_for(agency.iban) or ""),
        }
    iban = normalize_iban(str(raw.get("iban") or ""))
    return {
        "holder": str(raw.get("holder") or name or ""),
        "iban": iban,
        # a set-up stored without the BIC: the bank's BIC from the IBAN (Bundesbank file)
        "bic": str(raw.get("bic") or "").replace(" ", "").upper()
        or ((bic_for(iban) or "") if iban else ""),
    }


def creditor_problems(
    name: str,
    settings: Mapping[str, Any] | None,
    agency: Agency,
    *,
    payout_iban: str | None = None,
    strategy_known: Callable[[str], bool] | None = None,
) -> list[Problem]:
    """Everything missing or wrong in a creditor's set-up, most important first. Problems
    that ``blocks_letters`` stop its letters; the others stop its payouts or are advice."""
    cset = dict(settings or {})
    problems: list[Problem] = []
    if not name.strip():
        problems.append(Problem("name", "Name fehlt"))
    address = str(cset.get("address") or "")
    if not address.strip():
        if not str(cset.get("address_withheld_reason") or "").strip():
            problems.append(Problem("address", "Anschrift fehlt (Straße Nr., PLZ Ort)"))
    elif not ADDRESS.match(address):
        problems.append(Problem("address", "Anschrift als „Straße 1, 12345 Ort“ angeben"))
    trust = bool(dict(cset.get("payment_account") or {}).get("trust"))
    account = payment_account(name, cset, agency)
    where = "Treuhandkonto der Agentur (MAHNWERK_AGENCY_IBAN)" if trust else "Zahlungskonto"
    if not account["iban"]:
        problems.append(
            Problem(
                "iban",
                f"{where} fehlt"
                if trust
                else "Zahlungskonto fehlt (eigenes Konto oder Treuhandkonto der Agentur)",
            )
        )
    else:
        if wrong := validate_iban(account["iban"]):
            problems.append(Problem("iban", f"{where}: " + "; ".join(wrong)))
        if not _BIC.match(account["bic"]):
            field_ = "bic" if not trust else "iban"
            problems.append(Problem(field_, f"{where}: BIC fehlt oder ist ungültig"))
    strategy = str(cset.get("strategy") or DEFAULT_STRATEGY)
    if strategy_known is not None and not strategy_known(strategy):
        problems.append(Problem("strategy", f"Mahnstrategie {strategy!r} gibt es nicht"))
    if payout_iban is not None:
        if not payout_iban.strip():
            problems.append(
                Problem("payout_iban", "Auszahlungskonto fehlt (keine Auskehrung möglich)", False)
            )
        elif wrong := validate_iban(payout_iban):
            problems.append(Problem("payout_iban", "Auszahlungskonto: " + "; ".join(wrong), False))
    return problems


# ----------------------------------------------------------------------- reading input


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return _text(value).lower() in ("1", "true", "yes", "ja", "on", "y")


def _money(text: str) -> Decimal | None:
    raw = text.replace("€", "").replace(" ", "")
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        return None
    return value.quantize(Decimal("0.01"))


def _check_iban(text: str, field_: str, errors: dict[str, str]) -> str:
    value = normalize_iban(text)
    if value and (wrong := validate_iban(value)):
        errors[field_] = "; ".join(wrong)
    return value


def _check_bic(text: str, iban: str, field_: str, errors: dict[str, str]) -> str:
    value = text.replace(" ", "").upper()
    if not value and iban and field_ not in errors:
        value = bic_for(iban) or ""  # the bank's BIC from the Bundesbank file
    if value and not _BIC.match(value):
        errors[field_] = f"{text!r} ist keine BIC (8 oder 11 Zeichen)"
    return value


def apply_changes(
    creditor: Creditor,
    changes: Mapping[str, Any],
    *,
    strategy_known: Callable[[str], bool] | None = None,
) -> list[str]:
    """Check ``changes`` (field → value; absent or ``None``: leave, ``""``: clear) and write
    them into ``creditor``; returns the changed fields. Nothing is written if any value is
    wrong: :class:`SetupError` names every field."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise SetupError({k: "unbekanntes Feld" for k in unknown})
    given = {k: v for k, v in changes.items() if v is not None}
    errors: dict[str, str] = {}
    cset: dict[str, Any] = dict(creditor.settings or {})
    values: dict[str, Any] = {}
    for key, raw in given.items():
        values[key] = raw if key in ("trust_account", "fees_retained") else _text(raw)
    if "name" in values and not (values["name"] and len(values["name"]) <= 200):
        errors["name"] = "fehlt" if not values["name"] else "höchstens 200 Zeichen"
    if values.get("email") and not _EMAIL.match(values["email"]):
        errors["email"] = "keine E-Mail-Adresse"
    if values.get("address") and not ADDRESS.match(values["address"]):
        errors["address"] = "als „Straße 1, 12345 Ort“ angeben"
    iban = _check_iban(values.get("iban", ""), "iban", errors) if "iban" in values else None
    payout = (
        _check_iban(values.get("payout_iban", ""), "payout_iban", errors)
        if "payout_iban" in values
        else None
    )
    bic = _check_bic(values["bic"], iban or "", "bic", errors) if "bic" in values else None
    if bic is None and iban:
        bic = _check_bic("", iban, "bic", errors)
    payout_bic = (
        _check_bic(values["payout_bic"], payout or "", "payout_bic", errors)
        if "payout_bic" in values
        else (_check_bic("", payout, "payout_bic", errors) if payout else None)
    )
    if values.get("strategy") and strategy_known and not strategy_known(values["strategy"]):
        errors["strategy"] = f"Strategie {values['strategy']!r} gibt es nicht"
    months: int | None = None
    if values.get("max_months"):
        try:
            months = int(values["max_months"])
        except ValueError:
            months = 0
        if not 1 <= months <= 120:
            errors["max_months"] = "eine Zahl von 1 bis 120"
    minimum = None
    if values.get("min_instalment"):
        minimum = _money(values["min_instalment"])
        if minimum is None:
            errors["min_instalment"] = "ein Betrag wie 25,00"
    percent = None
    if values.get("commission_percent"):
        percent = _money(values["commission_percent"])
        if percent is None or percent > 100:
            errors["commission_percent"] = "ein Prozentsatz von 0 bis 100"
    if values.get("commission_on") and values["commission_on"] not in COMMISSION_BASES:
        errors["commission_on"] = "principal, principal_and_interest oder collected"
    for key, limit in (("phone", 50), ("contact_person", 200), ("register", 200),
                       ("representative", 200), ("vat_id", 20),
                       ("address_withheld_reason", 500), ("holder", 70)):  # fmt: skip
        if len(values.get(key) or "") > limit:
            errors[key] = f"höchstens {limit} Zeichen"
    if errors:
        raise SetupError(errors)

    changed: list[str] = []

    def put(key: str, value: Any, target: dict[str, Any], name: str) -> None:
        if value in ("", None):
            if name in target:
                del target[name]
                changed.append(key)
        elif target.get(name) != value:
            target[name] = value
            changed.append(key)

    if "name" in values and values["name"] != creditor.name:
        creditor.name = values["name"]
        changed.append("name")
    if "email" in values and (values["email"] or None) != creditor.email:
        creditor.email = values["email"].lower() or None
        changed.append("email")
    for key in ("address", "address_withheld_reason"):
        if key in values:
            put(key, values[key], cset, key)
    contact = dict(cset.get("contact") or {})
    for key, name in (("contact_person", "person"), ("phone", "phone")):
        if key in values:
            put(key, values[key], contact, name)
    cset["contact"] = contact
    account = dict(cset.get("payment_account") or {})
    if "trust_account" in values:
        if _flag(values["trust_account"]):
            if not account.get("trust"):
                account = {"trust": True}
                changed.append("trust_account")
        elif account.get("trust"):
            account = {}
            changed.append("trust_account")
    if iban is not None or bic is not None or "holder" in values:
        if account.get("trust") and (iban or values.get("holder")):
            account = {}  # an own account replaces the trust account
            changed.append("trust_account")
        if iban is not None:
            put("iban", iban, account, "iban")
        if bic is not None:
            put("bic", bic, account, "bic")
        if "holder" in values:
            put("holder", values["holder"], account, "holder")
    cset["payment_account"] = account
    payout_account = dict(cset.get("payout_account") or {})
    if not payout and iban and not creditor.iban:
        payout, payout_bic = iban, bic  # the creditor's own account receives its payouts
    if payout is not None and (payout or None) != creditor.iban:
        creditor.iban = payout or None
        changed.append("payout_iban")
    if payout_bic is not None:
        put("payout_bic", payout_bic, payout_account, "bic")
    cset["payout_account"] = payout_account
    if "strategy" in values:
        put("strategy", values["strategy"], cset, "strategy")
    if months is not None or minimum is not None:
        limits = dict(cset.get("plan_limits") or {"max_months": 12, "min_instalment": "25.00"})
        if months is not None:
            put("max_months", months, limits, "max_months")
        if minimum is not None:
            put("min_instalment", f"{minimum:.2f}", limits, "min_instalment")
        cset["plan_limits"] = limits
    if "commission_percent" in values:
        put("commission_percent", f"{percent:.2f}" if percent is not None else "", cset,
            "commission_percent")  # fmt: skip
    if "commission_on" in values:
        put("commission_on", values["commission_on"], cset, "commission_on")
    if "fees_retained" in values:
        put("fees_retained", _flag(values["fees_retained"]), cset, "fees_retained")
    letterhead = dict(cset.get("letterhead") or {})
    for key in ("register", "representative", "vat_id"):
        if key in values:
            put(key, values[key], letterhead, key)
    cset["letterhead"] = letterhead
    creditor.settings = {k: v for k, v in cset.items() if v not in ({}, None)}
    return changed


# -------------------------------------------------------------------------- use cases


def _admin(actor: Actor) -> None:
    if not (actor.kind == "cli" or actor.role == "admin"):
        raise PermissionError("nur die Verwaltung richtet Mandanten ein")


def add_creditor(
    session: Session,
    actor: Actor,
    name: str,
    changes: Mapping[str, Any] | None = None,
    *,
    strategy_known: Callable[[str], bool] | None = None,
) -> Creditor:
    """A new active creditor with its set-up (one transaction: all of it or nothing)."""
    _admin(actor)
    probe = Creditor(name=name.strip(), settings={})
    apply_changes(probe, {**(changes or {}), "name": name}, strategy_known=strategy_known)
    creditor = accounts.add_creditor(session, actor, probe.name, email=probe.email)
    creditor.iban = probe.iban
    creditor.settings = probe.settings
    return creditor


def update_creditor(
    session: Session,
    actor: Actor,
    creditor_id: int,
    changes: Mapping[str, Any],
    *,
    strategy_known: Callable[[str], bool] | None = None,
) -> tuple[Creditor, list[str]]:
    """Change a creditor's set-up; audited with the names of the changed fields (not the
    values: accounts are personal data of a kind)."""
    _admin(actor)
    creditor = session.get(Creditor, creditor_id)
    if creditor is None:
        raise LookupError(f"Mandant {creditor_id} gibt es nicht")
    changed = apply_changes(creditor, changes, strategy_known=strategy_known)
    if changed:
        audit.record(
            session, actor, "update", "creditor", creditor.id, creditor_id=creditor.id,
            details={"fields": changed},
        )  # fmt: skip
    return creditor, changed


@dataclass
class CreditorSheet:
    """A creditor's set-up for people: values by field, and what is missing."""

    creditor: Creditor
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    @property
    def letters_blocked(self) -> bool:
        return any(p.blocks_letters for p in self.problems)

    def lines(self) -> list[str]:
        out = [f"Mandant {self.creditor.id}: {self.creditor.name} ({self.creditor.status})"]
        out += [f"  {LABELS[k] + ':':<42} {v}" for k, v in self.values.items() if v]
        if self.problems:
            out.append("Fehlt oder falsch:")
            out += [
                f"  – {p.message}" + ("" if p.blocks_letters else " (Briefe gehen trotzdem)")
                for p in self.problems
            ]
        else:
            out.append("Vollständig: Briefe und Auskehrungen können raus.")
        return out


def values_of(creditor: Creditor) -> dict[str, str]:
    """The set-up as texts by field (for forms, ``creditor show`` and the API)."""
    cset = dict(creditor.settings or {})
    contact = dict(cset.get("contact") or {})
    account = dict(cset.get("payment_account") or {})
    limits = dict(cset.get("plan_limits") or {})
    letterhead = dict(cset.get("letterhead") or {})
    fees = cset.get("fees_retained")
    return {
        "name": creditor.name,
        "email": creditor.email or "",
        "contact_person": str(contact.get("person") or ""),
        "phone": str(contact.get("phone") or ""),
        "address": str(cset.get("address") or ""),
        "address_withheld_reason": str(cset.get("address_withheld_reason") or ""),
        "trust_account": "ja" if account.get("trust") else "",
        "holder": str(account.get("holder") or ""),
        "iban": format_iban(str(account["iban"])) if account.get("iban") else "",
        "bic": str(account.get("bic") or ""),
        "payout_iban": format_iban(creditor.iban) if creditor.iban else "",
        "payout_bic": str(dict(cset.get("payout_account") or {}).get("bic") or ""),
        "strategy": str(cset.get("strategy") or ""),
        "max_months": str(limits.get("max_months") or ""),
        "min_instalment": str(limits.get("min_instalment") or ""),
        "commission_percent": str(cset.get("commission_percent") or ""),
        "commission_on": str(cset.get("commission_on") or ""),
        "fees_retained": "" if fees is None else ("ja" if fees else "nein"),
        "register": str(letterhead.get("register") or ""),
        "representative": str(letterhead.get("representative") or ""),
        "vat_id": str(letterhead.get("vat_id") or ""),
    }


def sheet(
    creditor: Creditor, agency: Agency, strategy_known: Callable[[str], bool] | None = None
) -> CreditorSheet:
    return CreditorSheet(
        creditor,
        values_of(creditor),
        creditor_problems(
            creditor.name,
            creditor.settings,
            agency,
            payout_iban=creditor.iban or "",
            strategy_known=strategy_known,
        ),
    )


def strategy_checker(settings: Settings) -> Callable[[str], bool]:
    """Whether a strategy of that name exists (the operator's folder or the shipped ones)."""
    from mahnwerk.strategies import StrategyBook, StrategyError

    book = StrategyBook((settings.var_dir / "strategies",))

    def known(name: str) -> bool:
        try:
            book.get(name)
        except StrategyError:
            return False
        return True

    return known


@dataclass(frozen=True)
class Blocked:
    creditor_id: int
    name: str
    problems: tuple[Problem, ...]

    def german(self) -> str:
        why = "; ".join(p.message for p in self.problems if p.blocks_letters)
        return f"Mandant {self.creditor_id} ({self.name}): {why}"


def blocked_creditors(
    session: Session,
    agency: Agency,
    *,
    strategy_known: Callable[[str], bool] | None = None,
    with_open_cases: bool = True,
) -> list[Blocked]:
    """Creditors whose letters cannot go out (by default only those with open cases)."""
    query = select(Creditor).where(Creditor.status == "active").order_by(Creditor.id)
    if with_open_cases:
        query = query.where(
            select(Case.id).where(Case.creditor_id == Creditor.id, Case.status == "open").exists()
        )
    out = []
    for creditor in session.scalars(query):
        problems = creditor_problems(
            creditor.name, creditor.settings, agency, strategy_known=strategy_known
        )
        if any(p.blocks_letters for p in problems):
            out.append(Blocked(creditor.id, creditor.name, tuple(problems)))
    return out

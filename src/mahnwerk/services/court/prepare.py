"""Prepare a case's Mahnbescheid application, and approve or send it back (four-eyes).

How a case gets to court:

- an agent on the case page ("Mahnbescheid vorbereiten") or ``mahnwerk court prepare CASE``:
  :func:`prepare` builds the application from the case (:func:`build_application`) and stores
  the procedure in state ``prepared`` with an approval request. If the strategy already asked
  for the court step, that request is the one the application hangs on;
- the strategy's court step: its approval request (daily run) shows the application as it
  would be filed; approving it (``workflow.approve`` → :func:`court_step_approved`) stores the
  application approved at once (proposed by the system, decided by the person), or, if the
  case cannot go to court, opens a task naming why;
- :func:`approve` / :func:`send_back`: a team lead approves or returns a prepared application
  with a reason. Who may approve is decided in one place, :func:`approval_refusal`.

A case cannot go to court (every reason is given at once, :class:`CourtRefusal`) when it is
not open (recalled, closed), nothing is owed, a dispute is open, an insolvency or death is
flagged, a claim is time-barred, a procedure already runs or the claims are titled, the debtor
has no address or is a minor (the court needs the gesetzliche Vertreter, which mahnwerk does
not hold), or the application is one the EDA format cannot carry
(:func:`mahnwerk.court.application.validate`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mahnwerk.court import application as eda
from mahnwerk.court.application import (
    Ancillary,
    Application,
    ComputedInterest,
    InterestLine,
    MainClaim,
    Party,
    Representative,
    Streitgericht,
)
from mahnwerk.court.directory import courts, mahngericht_for
from mahnwerk.domain.court import RUNNING_STATES, Event, State, amtsgericht_limit, next_state
from mahnwerk.domain.interest import StatutoryInterest
from mahnwerk.domain.limitation import add_years
from mahnwerk.domain.money import ZERO, format_eur
from mahnwerk.domain.title import case_barred_from
from mahnwerk.services import actor as roles
from mahnwerk.services import audit, events
from mahnwerk.services.actor import Actor, today_in_germany, utcnow
from mahnwerk.services.cases import statement
from mahnwerk.services.court.facts import court_facts
from mahnwerk.store.court import CourtProcedure
from mahnwerk.store.models import Case, Creditor, Debtor
from mahnwerk.store.workflow import Approval, CaseFlag, CaseStrategy, Dispute

#: ``approval.strategy_name`` of the court's own approval requests (step_index = procedure id)
MB_APPROVAL = "court:mb"
VB_APPROVAL = "court:vb"
COURT_APPROVALS = (MB_APPROVAL, VB_APPROVAL)
#: codes of ledger costs that go into the application as Mahnkosten (C29)
DUNNING_COST_CODES = frozenset({"MAHNPAUSCHALE"})
AGENCY_COST_CODES = frozenset({"VV 2300", "VV 7002", "VV 7008", "USt"})


class CourtRefusal(ValueError):
    """The case cannot go to court; ``reasons`` lists every reason (German)."""

    def __init__(self, reference: str, reasons: Sequence[str]) -> None:
        super().__init__(f"Fall {reference}: " + "; ".join(reasons))
        self.reference = reference
        self.reasons = tuple(reasons)


class CourtError(ValueError):
    """A request the court procedure refuses (German message)."""


@dataclass(frozen=True)
class PrepareOptions:
    """What a person may add to the creditor's court settings for one case."""

    catalogue: int | None = None
    document: str | None = None
    #: catalogue additions per claim (invoice number → text), "*" for every claim
    additions: Mapping[str, str] = field(default_factory=dict)
    defendant_legal_form: str = ""
    defendant_representatives: tuple[Representative, ...] = ()
    streitgericht: Streitgericht | None = None


# ------------------------------------------------------------------------ who decides


def approval_refusal(actor: Actor, proposed_by: str) -> str | None:
    """Why ``actor`` may not approve what ``proposed_by`` prepared (``None``: may): the rule
    of every approval (:func:`mahnwerk.services.actor.approval_refusal`: a person, a team
    lead, and not the one who prepared it)."""
    return roles.approval_refusal(actor, proposed_by)


# ------------------------------------------------------------------- the application


def _split_name(text: str) -> tuple[str, ...]:
    """A designation in parts of at most 35 characters, cut at spaces."""
    parts: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) <= 35:
            current = candidate
            continue
        if current:
            parts.append(current)
        current = word
    if current:
        parts.append(current)
    return tuple(parts) or ("",)


def _address(settings: Mapping[str, Any], creditor: Creditor) -> tuple[str, str, str]:
    street = str(settings.get("street") or "")
    postcode = str(settings.get("postcode") or "")
    city = str(settings.get("city") or "")
    if not (street and postcode and city):
        text = str((creditor.settings or {}).get("address") or "")
        head, _, tail = text.rpartition(",")
        code, _, town = tail.strip().partition(" ")
        if head and code.isdigit():
            street, postcode, city = head.strip(), code, town.strip()
    return street, postcode, city


def applicant_of(creditor: Creditor) -> tuple[Party | None, list[str]]:
    """The creditor as Antragsteller from ``creditor.settings["court"]``."""
    court = dict((creditor.settings or {}).get("court") or {})
    if not court:
        return None, [
            f"Mandant {creditor.name}: Gerichtsangaben fehlen (Rechtsform, gesetzliche "
            "Vertreter, Bundesland, Gegenleistung; mahnwerk court applicant)"
        ]
    street, postcode, city = _address(court, creditor)
    legal_form = str(court.get("legal_form") or "")
    reps = tuple(
        Representative(str(r.get("function") or ""), str(r.get("name") or ""))
        for r in court.get("representatives") or ()
        if isinstance(r, Mapping)
    )
    default_key = "" if legal_form else "0"  # a legal person: no key, its legal form
    return (
        Party(
            anrede=str(court.get("anrede") or default_key),
            names=_split_name(str(court.get("name") or creditor.name)),
            street=street,
            postcode=postcode,
            city=city,
            legal_form=legal_form,
            representatives=reps,
            askezi=str(court.get("askezi") or ""),
        ),
        [],
    )


def _defendant(debtor: Debtor, options: PrepareOptions) -> Party:
    address = debtor.current_address
    street, postcode, city, country = (
        (address.street, address.postcode, address.city, address.country)
        if address is not None
        else ("", "", "", "DE")
    )
    if debtor.kind == "legal":
        return Party(
            anrede="",
            names=_split_name(debtor.company or ""),
            street=street,
            postcode=postcode,
            city=city,
            legal_form=options.defendant_legal_form,
            country="" if country.upper() == "DE" else country.upper(),
            representatives=options.defendant_representatives,
        )
    return Party(
        anrede="0",  # Herr/Frau: mahnwerk does not record the sex
        names=(debtor.first_name or "", debtor.last_name or ""),
        street=street,
        postcode=postcode,
        city=city,
        country="" if country.upper() == "DE" else country.upper(),
        representatives=options.defendant_representatives,
    )


def _interest_line(
    kind: str,
    value: Decimal | None,
    consumer: bool,
    origin: date | None,
    since: date | None,
    base: Decimal,
    entgelt: bool = True,
) -> InterestLine | None:
    """The claimed interest, ``None`` for none; a claim not in default (``since`` None, § 286
    BGB) bears none; § 288 Abs. 2 BGB's 9 points only for an Entgeltforderung."""
    if since is None:
        return None
    if kind == "statutory":
        points = StatutoryInterest.points(consumer=consumer, origin=origin, entgelt=entgelt)
        return InterestLine(points, "B", since, base)
    if kind == "base_plus" and value:
        return InterestLine(value, "B", since, base)
    if kind == "fixed" and value:
        return InterestLine(value, "F", since, base)
    return None


def build_application(
    case: Case,
    creditor: Creditor,
    today: date,
    options: PrepareOptions = PrepareOptions(),
) -> tuple[Application | None, list[str]]:
    """The Mahnbescheid application of ``case`` as of ``today`` and every reason it cannot
    be filed (empty: it can).

    Amounts: without payments each claim goes in full with its interest from the day of
    default. With payments (allocated costs, interest, principal, § 367 BGB), the claims go
    with the principal still open after the last payment, the interest open on that day as
    ausgerechnete Zinsen (C19), and the running interest on the open principal from the day
    after: exactly what the ledger computes from then on. Open dunning flat fees go in as
    Mahnkosten (C29); the agency's pre-court fees and other costs are named in ``notes``.
    """
    problems: list[str] = []
    court_settings = dict((creditor.settings or {}).get("court") or {})
    applicant, missing = applicant_of(creditor)
    problems.extend(missing)
    debtor = case.debtor
    payments = sorted(p.date for p in case.payments if not p.reversed and p.date <= today)
    cut = payments[-1] if payments else None
    st = statement(case, cut or today)
    open_claims = {c.id: c for c in st.claims}
    notes: list[str] = []

    cat_conf = dict(court_settings.get("catalogue") or {})
    nr = options.catalogue if options.catalogue is not None else cat_conf.get("nr")
    document = options.document or str(cat_conf.get("document") or "Rechnung")
    claims: list[MainClaim] = []
    computed = ZERO
    first_default: date | None = None
    for claim in case.claims:
        line = open_claims.get(claim.invoice_no)
        principal = line.principal_open if line is not None else claim.principal
        if cut is not None and line is not None:
            computed += line.interest_open
        if principal <= 0:
            continue
        if claim.default_from is not None:
            first_default = min(first_default or claim.default_from, claim.default_from)
        since = (
            claim.default_from
            if cut is None or claim.default_from is None
            else max(cut + timedelta(days=1), claim.default_from)
        )
        interest = _interest_line(
            claim.interest_kind,
            claim.interest_value,
            debtor.consumer,
            claim.origin,
            since,
            principal,
            entgelt=claim.kind != "other",
        )
        addition = (
            options.additions.get(claim.invoice_no)
            or options.additions.get("*")
            or str(cat_conf.get("addition") or "")
        )
        day = claim.invoice_date or claim.due_date
        if nr is not None:
            claims.append(
                MainClaim(
                    reference=claim.invoice_no,
                    amount=principal,
                    catalogue=int(nr),
                    document=document,
                    number=claim.invoice_no,
                    date_from=day,
                    addition=addition,
                    interest=(interest,) if interest else (),
                )
            )
        else:
            reason = claim.label.strip()
            if reason:
                dated = f" vom {day:%d.%m.%Y}" if day else ""
                reason = f"{reason}, {document} {claim.invoice_no}{dated}"
            claims.append(
                MainClaim(
                    reference=claim.invoice_no,
                    amount=principal,
                    catalogue=None,
                    document=document,
                    number=claim.invoice_no,
                    date_from=day,
                    free_text=reason,
                    interest=(interest,) if interest else (),
                )
            )
    computed_interest = None
    if cut is not None and computed > 0:
        computed_interest = ComputedInterest(first_default or cut, cut, computed)

    ancillaries: list[Ancillary] = []
    dunning = sum((c.open for c in st.costs if c.code in DUNNING_COST_CODES), ZERO)
    if dunning > 0:
        ancillaries.append(Ancillary("MAHNK", dunning, "Mahnkosten"))
    agency = sum((c.open for c in st.costs if c.code in AGENCY_COST_CODES), ZERO)
    if agency > 0:
        notes.append(
            f"Inkassokosten {format_eur(agency)} nicht im Antrag: die Feldlage der "
            "Inkassokosten (C32) ist nicht belegt (UNVERIFIED); nach Klärung mit dem "
            "Mahngericht nachtragen."
        )
    other = sum(
        (
            c.open
            for c in st.costs
            if c.code not in DUNNING_COST_CODES | AGENCY_COST_CODES and c.open > 0
        ),
        ZERO,
    )
    if other > 0:
        notes.append(f"weitere Kosten {format_eur(other)} nicht im Antrag (keine Satzart belegt)")

    court, problem = None, None
    if applicant is not None:
        court, problem = mahngericht_for(
            applicant.postcode,
            "DE",
            named=str(court_settings.get("mahngericht") or "") or None,
            land=str(court_settings.get("land") or "") or None,
        )
    if problem:
        problems.append(f"Mandant {creditor.name}: {problem}")
    defendant = _defendant(debtor, options)
    principal_total = sum((c.amount for c in claims), ZERO)
    streit = options.streitgericht or Streitgericht(
        1 if principal_total <= amtsgericht_limit(today) else 2,
        defendant.postcode,
        defendant.city,
    )
    if options.streitgericht is None:
        notes.append(
            "Streitgericht nach Wohnsitz/Sitz des Antragsgegners (Postleitzahl und Ort); das "
            "Mahngericht bestimmt das Gericht über seine Zustellbezirke (UNVERIFIED)."
        )
    if debtor.kind == "natural" and debtor.birth_date is None:
        notes.append("Geburtsdatum unbekannt: Volljährigkeit nicht geprüft.")
    if applicant is None or court is None:
        return None, problems
    app = Application(
        reference=case.reference,
        court_id=court.id,
        court_name=court.name,
        court_postcode=court.record_postcode,
        court_city=court.record_city,
        applicant=applicant,
        defendant=defendant,
        streitgericht=streit,
        claims=tuple(claims),
        counter_performance=str(court_settings.get("counter_performance") or ""),
        as_of=today,
        mandate_date=today_in_germany(case.created_at) if case.created_at else None,
        computed_interest=computed_interest,
        ancillaries=tuple(ancillaries),
        streitig=bool(court_settings.get("streitig")),
        notes=tuple(notes),
    )
    problems.extend(eda.validate(app))
    return app, problems


def _load(session: Session, case_id: int) -> Case | None:
    return session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(
            selectinload(Case.claims),
            selectinload(Case.costs),
            selectinload(Case.payments),
            selectinload(Case.debtor).selectinload(Debtor.addresses),
        )
    )


def case_refusals(session: Session, case: Case, today: date) -> list[str]:
    """Why the case itself cannot go to court (before its application is looked at)."""
    reasons: list[str] = []
    if case.status != "open":
        reasons.append(f"Fall ist nicht offen ({case.status})")
    if statement(case, today).totals.total_open <= 0:
        reasons.append("nichts mehr offen (bezahlt)")
    if session.scalar(
        select(Dispute.id).where(Dispute.case_id == case.id, Dispute.status == "open")
    ):
        reasons.append("Widerspruch/Einwand des Schuldners offen")
    flags = set(
        session.scalars(
            select(CaseFlag.kind).where(CaseFlag.case_id == case.id, CaseFlag.cleared_at.is_(None))
        )
    )
    if "insolvency" in flags:
        reasons.append("Insolvenzverfahren gemeldet (Forderung zur Tabelle anmelden)")
    if "deceased" in flags:
        reasons.append("Schuldner verstorben")
    facts = court_facts(session, [case.id]).get(case.id)
    barred = case_barred_from(
        [
            (c.id, origin)
            for c in case.claims
            if (origin := c.origin or c.due_date or c.default_from) is not None
        ],
        (p.date for p in case.payments if not p.reversed),
        *([facts] if facts else []),
    )
    if barred is not None and today >= barred:
        reasons.append(f"Forderung verjährt seit {barred:%d.%m.%Y}")
    running = session.scalar(
        select(CourtProcedure.state).where(
            CourtProcedure.case_id == case.id,
            CourtProcedure.state.in_([s.value for s in RUNNING_STATES | {State.TITLED}]),
        )
    )
    if running is not None:
        reasons.append(f"gerichtliches Mahnverfahren besteht schon ({running})")
    elif facts is not None and facts.titled(c.id for c in case.claims):
        reasons.append("Forderungen sind bereits tituliert")
    debtor = case.debtor
    if debtor.current_address is None:
        reasons.append("keine Anschrift des Schuldners")
    if debtor.birth_date is not None and add_years(debtor.birth_date, 18) > today:
        reasons.append("Schuldner minderjährig: gesetzlicher Vertreter nötig")
    return reasons


@dataclass(frozen=True)
class Preview:
    """An application as it would be filed today, and why it cannot be (if so)."""

    application: Application | None
    reasons: tuple[str, ...]

    @property
    def digest(self) -> str:
        return eda.digest(self.application) if self.application else ""


def preview(
    session: Session,
    actor: Actor,
    case_id: int,
    today: date,
    options: PrepareOptions = PrepareOptions(),
) -> Preview:
    case = _load(session, case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id) or not actor.is_staff:
        raise CourtError(f"Fall {case_id} gibt es nicht")
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    reasons = case_refusals(session, case, today)
    app, problems = build_application(case, creditor, today, options)
    return Preview(app, tuple(reasons + problems))


# ------------------------------------------------------------------------ use cases


def _emit(session: Session, case: Case, kind: str, actor: Actor, detail: str, **data: Any) -> None:
    events.emit(session, case, kind, actor, detail=detail, **data)


def prepare(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    today: date | None = None,
    options: PrepareOptions = PrepareOptions(),
) -> CourtProcedure:
    """Prepare the Mahnbescheid application of the case (state ``prepared``, waiting for a
    person's approval); :class:`CourtRefusal` with every reason when it cannot go."""
    day = today or today_in_germany()
    if not actor.is_staff:
        raise CourtError("nur Mitarbeitende bereiten Mahnanträge vor")
    view = preview(session, actor, case_id, day, options)
    case = session.get(Case, case_id)
    assert case is not None
    if view.reasons or view.application is None:
        raise CourtRefusal(case.reference, view.reasons or ("Antrag unvollständig",))
    now = utcnow()
    app = view.application
    procedure = CourtProcedure(
        case_id=case.id,
        state=State.PREPARED.value,
        state_since=day,
        tgz=app.reference,
        court_id=app.court_id,
        application=eda.to_dict(app),
        application_digest=view.digest,
        prepared_by=actor.label,
        prepared_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(procedure)
    session.flush()
    pending = session.scalar(
        select(Approval).where(
            Approval.case_id == case.id,
            Approval.stage == "court_handover",
            Approval.status == "pending",
        )
    )
    if pending is None:
        pending = Approval(
            case_id=case.id,
            step_index=procedure.id,
            stage="court_handover",
            strategy_name=MB_APPROVAL,
            strategy_version=1,
            reason=_approval_reason(app)[:500],
            status="pending",
            requested_at=now,
        )
        session.add(pending)
        session.flush()
    procedure.approval_id = pending.id
    _emit(
        session,
        case,
        "court.prepared",
        actor,
        f"Mahnbescheid vorbereitet: {format_eur(app.principal)} Hauptforderung, "
        f"{app.court_name}; wartet auf Freigabe",
        procedure_id=procedure.id,
        approval_id=pending.id,
    )
    audit.record(
        session, actor, "create", "court_procedure", procedure.id,
        case_id=case.id, creditor_id=case.creditor_id,
    )  # fmt: skip
    return procedure


def _approval_reason(app: Application) -> str:
    return (
        f"Mahnbescheid gegen {' '.join(n for n in app.defendant.names if n)} über "
        f"{format_eur(app.principal)} Hauptforderung ({len(app.claims)} Forderung(en)) beim "
        f"{app.court_name}"
    )


def procedure_of_approval(session: Session, approval: Approval) -> CourtProcedure | None:
    if approval.strategy_name in COURT_APPROVALS:
        return session.get(CourtProcedure, approval.step_index)
    return session.scalar(
        select(CourtProcedure)
        .where(CourtProcedure.approval_id == approval.id)
        .order_by(CourtProcedure.id.desc())
    )


def _decide(session: Session, actor: Actor, approval: Approval, reason: str, status: str) -> None:
    approval.status = status
    approval.decided_by = actor.label
    approval.decided_at = utcnow()
    approval.decision_reason = reason.strip()[:500]


def _move_strategy_to_court(session: Session, actor: Actor, case: Case, day: date) -> None:
    """The case's stage is the court hand-over; its strategy goes on after the court step."""
    from mahnwerk.strategies import StrategyBook, StrategyError

    old = case.stage
    case.stage = "court_handover"
    case.updated_at = utcnow()
    state = session.get(CaseStrategy, case.id)
    if state is not None:
        try:
            strategy = StrategyBook(()).get(state.strategy_name)
        except StrategyError:
            strategy = None
        if strategy is not None:
            steps = [i for i, s in enumerate(strategy.steps) if s.stage == "court_handover"]
            later = [i for i in steps if state.step_index is None or i > state.step_index]
            if later:
                state.step_index = later[0]
                state.stage_since = day
    if old != case.stage:
        events.emit(session, case, "stage.changed", actor, old=old, new=case.stage)


def approve(
    session: Session,
    actor: Actor,
    approval_id: int,
    reason: str,
    *,
    today: date | None = None,
    digest: str | None = None,
) -> CourtProcedure:
    """A person approves a prepared application (MB or VB). ``digest``, when given, must be
    that of the application the person looked at."""
    day = today or today_in_germany()
    if not reason.strip():
        raise CourtError("eine Freigabe braucht eine Begründung")
    approval = session.get(Approval, approval_id)
    if approval is None:
        raise CourtError(f"Freigabe {approval_id} gibt es nicht")
    case = session.get(Case, approval.case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id):
        raise CourtError(f"Freigabe {approval_id} gibt es nicht")
    if approval.status != "pending":
        raise CourtError(f"Freigabe {approval_id} ist schon entschieden ({approval.status})")
    procedure = procedure_of_approval(session, approval)
    if procedure is None:
        raise CourtError(f"zur Freigabe {approval_id} gehört kein vorbereiteter Antrag")
    vb = approval.strategy_name == VB_APPROVAL
    proposer = (procedure.vb_prepared_by if vb else procedure.prepared_by) or ""
    refusal = approval_refusal(actor, proposer)
    if refusal:
        raise CourtError(refusal)
    stored = procedure.vb_digest if vb else procedure.application_digest
    if digest is not None and digest != stored:
        raise CourtError("der Antrag hat sich geändert: bitte neu prüfen")
    loaded = _load(session, case.id)
    assert loaded is not None
    reasons = [r for r in case_refusals(session, loaded, day) if not r.startswith("gerichtliches")]
    if reasons:
        raise CourtError("Freigabe nicht möglich: " + "; ".join(reasons) + " (Antrag zurückgeben)")
    procedure.state = next_state(procedure.state, Event.VB_APPROVE if vb else Event.APPROVE)
    procedure.state_since = day
    procedure.updated_at = utcnow()
    if vb:
        procedure.vb_approved_by = actor.label
    else:
        procedure.approved_by = actor.label
        procedure.approved_at = utcnow()
        _move_strategy_to_court(session, actor, case, day)
    _decide(session, actor, approval, reason, "approved")
    what = "Vollstreckungsbescheid" if vb else "Mahnbescheid"
    _emit(
        session,
        case,
        "court.approved",
        actor,
        f"{what}-Antrag freigegeben: {reason.strip()}",
        procedure_id=procedure.id,
        approval_id=approval.id,
    )
    audit.record(
        session, actor, "approve", "approval", approval.id,
        case_id=case.id, creditor_id=case.creditor_id, details={"stage": approval.stage},
    )  # fmt: skip
    return procedure


def send_back(
    session: Session, actor: Actor, approval_id: int, reason: str, *, today: date | None = None
) -> CourtProcedure:
    """A person returns a prepared application with a reason: it will not be filed."""
    day = today or today_in_germany()
    if not reason.strip():
        raise CourtError("eine Rückgabe braucht eine Begründung")
    approval = session.get(Approval, approval_id)
    case = session.get(Case, approval.case_id) if approval else None
    if approval is None or case is None or not actor.may_see_creditor(case.creditor_id):
        raise CourtError(f"Freigabe {approval_id} gibt es nicht")
    if approval.status != "pending":
        raise CourtError(f"Freigabe {approval_id} ist schon entschieden ({approval.status})")
    if actor.kind == "system" or not actor.is_staff:
        raise CourtError("zurückgeben darf nur ein Mensch aus dem Team")
    procedure = procedure_of_approval(session, approval)
    if procedure is None:
        raise CourtError(f"zur Freigabe {approval_id} gehört kein vorbereiteter Antrag")
    vb = approval.strategy_name == VB_APPROVAL
    procedure.state = next_state(procedure.state, Event.VB_RETURN if vb else Event.RETURN)
    procedure.state_since = day
    procedure.returned_reason = reason.strip()[:500]
    procedure.updated_at = utcnow()
    _decide(session, actor, approval, reason, "rejected")
    what = "Vollstreckungsbescheid" if vb else "Mahnbescheid"
    _emit(
        session,
        case,
        "court.returned",
        actor,
        f"{what}-Antrag zurückgegeben: {reason.strip()}",
        procedure_id=procedure.id,
        approval_id=approval.id,
    )
    audit.record(
        session, actor, "reject", "approval", approval.id,
        case_id=case.id, creditor_id=case.creditor_id, details={"stage": approval.stage},
    )  # fmt: skip
    return procedure


def court_step_approved(
    session: Session,
    actor: Actor,
    approval: Approval,
    case: Case,
    day: date,
    digest: str | None = None,
) -> CourtProcedure | None:
    """The strategy's court step was approved (``workflow.approve``): the prepared
    application hanging on it is approved (four-eyes), or the application is built and
    stored approved now; if the case cannot go, a task says why (``None``)."""
    from mahnwerk.services.workspace.workflow import add_task

    procedure = procedure_of_approval(session, approval)
    if procedure is not None and procedure.state == State.PREPARED.value:
        refusal = approval_refusal(actor, procedure.prepared_by)
        if refusal:
            raise CourtError(refusal)
        procedure.state = next_state(procedure.state, Event.APPROVE)
        procedure.approved_by = actor.label
        procedure.approved_at = utcnow()
        procedure.state_since = day
        _emit(
            session, case, "court.approved", actor, "Mahnbescheid-Antrag freigegeben",
            procedure_id=procedure.id, approval_id=approval.id,
        )  # fmt: skip
        return procedure
    try:
        view = preview(session, actor, case.id, day)
    except CourtError:
        view = Preview(None, ("Fall nicht lesbar",))
    reasons = list(view.reasons)
    if digest and view.application is not None and view.digest != digest:
        raise CourtError("der Antrag hat sich geändert: bitte neu prüfen")
    if reasons or view.application is None:
        add_task(
            session,
            case.id,
            "court_handover",
            f"approved:{approval.id}",
            "Freigegeben, Mahnbescheid kann noch nicht beantragt werden: "
            + "; ".join(reasons or ["Antrag unvollständig"]),
            data={"approval_id": approval.id},
        )
        return None
    now = utcnow()
    app = view.application
    procedure = CourtProcedure(
        case_id=case.id,
        state=State.APPROVED.value,
        state_since=day,
        tgz=app.reference,
        court_id=app.court_id,
        application=eda.to_dict(app),
        application_digest=view.digest,
        prepared_by="system:strategy",
        prepared_at=now,
        approved_by=actor.label,
        approved_at=now,
        approval_id=approval.id,
        created_at=now,
        updated_at=now,
    )
    session.add(procedure)
    session.flush()
    _emit(
        session,
        case,
        "court.approved",
        actor,
        f"Mahnbescheid-Antrag freigegeben: {format_eur(app.principal)} Hauptforderung, "
        f"{app.court_name}",
        procedure_id=procedure.id,
        approval_id=approval.id,
    )
    return procedure


# --------------------------------------------------------------------------- reading


def application_of(procedure: CourtProcedure) -> Application:
    result: Application = eda.from_dict(Application, procedure.application)
    return result


def vb_application_of(procedure: CourtProcedure) -> eda.VbApplication | None:
    if not procedure.vb_application:
        return None
    result: eda.VbApplication = eda.from_dict(eda.VbApplication, procedure.vb_application)
    return result


def court_name(procedure: CourtProcedure) -> str:
    court = courts().get(procedure.court_id)
    return court.name if court else procedure.court_id


def procedures_of_case(session: Session, case_id: int) -> Sequence[CourtProcedure]:
    return session.scalars(
        select(CourtProcedure)
        .where(CourtProcedure.case_id == case_id)
        .order_by(CourtProcedure.id.desc())
    ).all()


def return_prepared(
    session: Session, actor: Actor, approval: Approval, case: Case, reason: str
) -> None:
    """The strategy's court step was rejected: an application prepared on it goes back."""
    procedure = procedure_of_approval(session, approval)
    if procedure is None or procedure.state != State.PREPARED.value:
        return
    procedure.state = next_state(procedure.state, Event.RETURN)
    procedure.state_since = today_in_germany()
    procedure.returned_reason = reason.strip()[:500]
    procedure.updated_at = utcnow()
    _emit(
        session, case, "court.returned", actor,
        f"Mahnbescheid-Antrag zurückgegeben: {reason.strip()}",
        procedure_id=procedure.id, approval_id=approval.id,
    )  # fmt: skip

"""Reason codes: the model's own feature contributions turned into plain German.

For each case LightGBM's TreeSHAP contributions (``pred_contrib=True``) on the raw score of
the payment model are ranked by absolute size; the top three become reasons. A reason has
a code (``feature:+`` raises the probability of payment, ``feature:-`` lowers it), a German
text describing the fact behind it ("Zwei Zahlungszusagen nicht eingehalten", "Erste
Reaktion auf E-Mail binnen 2 Tagen") and the direction. Ranking uses contributions rounded
to 1e-6 and a stable sort by feature order, so the same input always gives the same
reasons.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from mahnwerk.ml.features import CHANNELS, CLAIM_TYPES, STAGES

_WORDS = ("Kein", "Ein", "Zwei", "Drei", "Vier", "Fünf", "Sechs", "Sieben", "Acht", "Neun",
          "Zehn", "Elf", "Zwölf")  # fmt: skip

STAGE_DE = {
    "reminder": "Zahlungserinnerung",
    "dunning": "Mahnung",
    "final_notice": "letzte Mahnung",
    "payment_plan": "Ratenzahlung",
    "court": "gerichtliches Mahnverfahren",
}
CLAIM_TYPE_DE = {
    "telecom": "Telekommunikation",
    "energy": "Energie",
    "ecommerce": "Onlinehandel",
    "rent": "Miete",
    "health": "Gesundheit",
    "loan": "Kredit",
    "b2b": "Rechnung zwischen Unternehmen",
}
CHANNEL_DE = {"letter": "Brief", "email": "E-Mail", "sms": "SMS", "call": "Telefon"}
CHANNEL_REACTION_DE = {
    "letter": "auf einen Brief",
    "email": "auf E-Mail",
    "sms": "auf SMS",
    "call": "bei einem Anruf",
}

DIRECTION_DE = {1: "erhöht", -1: "senkt"}


def _count(n: float, one: str, many: str, zero: str) -> str:
    """'Zwei Zahlungszusagen nicht eingehalten' style counting text."""
    k = round(n)
    if k == 0:
        return zero
    if k == 1:
        return one
    word = _WORDS[k] if k < len(_WORDS) else str(k)
    return many.format(n=word)


def _eur(x: float) -> str:
    s = f"{x:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{s} €"


def _pct(x: float) -> str:
    return f"{round(100 * x):d} %"


def _days(x: float) -> str:
    d = round(x)
    return "1 Tag" if d == 1 else f"{d} Tagen"


def _code(values: tuple[str, ...], x: float) -> str:
    return values[int(x)] if not math.isnan(x) and 0 <= int(x) < len(values) else ""


def _first_response(x: float, row: Mapping[str, float]) -> str:
    if math.isnan(x):
        return "Noch nie auf einen Kontakt reagiert"
    ch = CHANNEL_REACTION_DE.get(_code(CHANNELS, row.get("first_response_channel", np.nan)), "")
    head = f"Erste Reaktion {ch}".strip()
    if x < 1:
        return f"{head} am selben Tag"
    d = math.ceil(x)
    return f"{head} binnen eines Tages" if d == 1 else f"{head} binnen {d} Tagen"


def _nan(
    text_nan: str, fmt: Callable[[float], str]
) -> Callable[[float, Mapping[str, float], int], str]:
    return lambda x, row, s: text_nan if math.isnan(x) else fmt(x)


Formatter = Callable[[float, Mapping[str, float], int], str]

#: feature → formatter(value, row, sign) returning the German text of the reason.
REASON_TEXTS: dict[str, Formatter] = {
    "open_amount_eur": lambda x, r, s: (
        f"Offener Betrag {_eur(x)}" + (" (eher niedrig)" if s > 0 else " (eher hoch)")
    ),
    "principal_eur": lambda x, r, s: f"Hauptforderung {_eur(x)}",
    "costs_share": lambda x, r, s: f"Kosten und Zinsen: {_pct(x)} der Hauptforderung",
    "paid_share": lambda x, r, s: (
        "Bisher nichts gezahlt" if x <= 0 else f"Bereits {_pct(x)} der Forderung gezahlt"
    ),
    "claim_age_days": lambda x, r, s: f"Forderung seit {_days(x)} fällig",
    "case_age_days": lambda x, r, s: f"Fall seit {_days(x)} in Bearbeitung",
    "days_in_stage": lambda x, r, s: (
        f"Seit {_days(x)} in der Stufe „{STAGE_DE.get(_code(STAGES, r.get('stage', np.nan)), '?')}“"
    ),
    "stage": lambda x, r, s: f"Stufe: {STAGE_DE.get(_code(STAGES, x), 'unbekannt')}",
    "claim_type": lambda x, r, s: (
        f"Forderungsart: {CLAIM_TYPE_DE.get(_code(CLAIM_TYPES, x), 'unbekannt')}"
    ),
    "is_business": lambda x, r, s: (
        "Schuldner ist ein Unternehmen" if x > 0 else "Schuldner ist Verbraucher"
    ),
    "n_contacts": lambda x, r, s: _count(
        x, "Ein Kontakt bisher", "{n} Kontakte bisher", "Noch kein Kontakt"
    ),
    "n_responses": lambda x, r, s: _count(
        x,
        "Eine Reaktion auf Kontakte",
        "{n} Reaktionen auf Kontakte",
        "Keine Reaktion auf bisherige Kontakte",
    ),
    "response_rate": _nan(
        "Noch kein Kontakt zugestellt",
        lambda x: (
            "Keine Reaktion auf zugestellte Kontakte"
            if x <= 0
            else f"Reagiert auf {_pct(x)} der zugestellten Kontakte"
        ),
    ),
    "first_response_days": lambda x, r, s: _first_response(x, r),
    "first_response_channel": _nan(
        "Noch keine Reaktion",
        lambda x: f"Erste Reaktion per {CHANNEL_DE.get(_code(CHANNELS, x), '?')}",
    ),
    "days_since_last_response": _nan(
        "Noch keine Reaktion", lambda x: f"Letzte Reaktion vor {_days(x)}"
    ),
    "n_bounced_contacts": lambda x, r, s: _count(
        x,
        "Ein Kontakt unzustellbar",
        "{n} Kontakte unzustellbar",
        "Alle Briefe und Nachrichten zugestellt",
    ),
    "n_returned_letters": lambda x, r, s: _count(
        x,
        "Ein Brief als unzustellbar zurückgekommen",
        "{n} Briefe als unzustellbar zurückgekommen",
        "Kein Brief zurückgekommen",
    ),
    "n_calls_not_reached": lambda x, r, s: _count(
        x,
        "Ein Anruf ohne Erreichen",
        "{n} Anrufe ohne Erreichen",
        "Kein erfolgloser Anrufversuch",
    ),
    "n_payments": lambda x, r, s: _count(
        x, "Eine Zahlung eingegangen", "{n} Zahlungen eingegangen", "Bisher keine Zahlung"
    ),
    "days_since_last_payment": _nan("Noch nie gezahlt", lambda x: f"Letzte Zahlung vor {_days(x)}"),
    "n_reversed_debits": lambda x, r, s: _count(
        x,
        "Eine Lastschrift zurückgegeben",
        "{n} Lastschriften zurückgegeben",
        "Keine Rücklastschrift",
    ),
    "n_promises_kept": lambda x, r, s: _count(
        x,
        "Eine Zahlungszusage eingehalten",
        "{n} Zahlungszusagen eingehalten",
        "Keine Zahlungszusage eingehalten",
    ),
    "n_promises_broken": lambda x, r, s: _count(
        x,
        "Eine Zahlungszusage nicht eingehalten",
        "{n} Zahlungszusagen nicht eingehalten",
        "Keine Zahlungszusage gebrochen",
    ),
    "n_instalments_kept": lambda x, r, s: _count(
        x, "Eine Rate gezahlt", "{n} Raten gezahlt", "Noch keine Rate gezahlt"
    ),
    "n_instalments_broken": lambda x, r, s: _count(
        x, "Eine Rate ausgefallen", "{n} Raten ausgefallen", "Keine Rate ausgefallen"
    ),
    "n_address_changes": lambda x, r, s: _count(
        x,
        "Eine Adressänderung im letzten Jahr",
        "{n} Adressänderungen im letzten Jahr",
        "Keine Adressänderung im letzten Jahr",
    ),
    "days_since_address_change": _nan(
        "Keine bekannte Adressänderung", lambda x: f"Adresse vor {_days(x)} geändert"
    ),
    "other_cases": lambda x, r, s: _count(
        x,
        "Ein weiterer Fall bei einem anderen Gläubiger",
        "{n} weitere Fälle bei anderen Gläubigern",
        "Keine weiteren Fälle",
    ),
    "other_cases_paid_share": _nan(
        "Keine weiteren Fälle",
        lambda x: (
            "In weiteren Fällen nichts gezahlt"
            if x <= 0
            else f"In weiteren Fällen {_pct(x)} gezahlt"
        ),
    ),
    "other_cases_promises_broken": lambda x, r, s: _count(
        x,
        "Eine nicht eingehaltene Zusage in weiteren Fällen",
        "{n} nicht eingehaltene Zusagen in weiteren Fällen",
        "Keine gebrochene Zusage in weiteren Fällen",
    ),
    "other_cases_responses": lambda x, r, s: _count(
        x,
        "Eine Reaktion in weiteren Fällen",
        "{n} Reaktionen in weiteren Fällen",
        "Keine Reaktion in weiteren Fällen",
    ),
    "age_years": lambda x, r, s: f"Alter {int(x)} Jahre",
    # payment plans (mahnwerk.ml.plan_completion)
    "n_instalments": lambda x, r, s: _count(
        x, "Eine einzige Rate", "{n} Monatsraten", "Keine Rate"
    ),
    "instalment_eur": lambda x, r, s: f"Monatsrate {_eur(x)}",
    "instalment_share": _nan(
        "Nichts mehr offen", lambda x: f"Eine Rate ist {_pct(x)} des offenen Betrags"
    ),
    "capacity_eur": _nan(
        "Keine Angaben zu Einkommen und Ausgaben",
        lambda x: f"Nach eigenen Angaben {_eur(x)} im Monat möglich",
    ),
    "burden": _nan(
        "Keine Angaben zu Einkommen und Ausgaben",
        lambda x: (
            "Die Rate übersteigt den möglichen Betrag"
            if x > 1
            else f"Die Rate nutzt {_pct(x)} des möglichen Betrags"
        ),
    ),
}

#: Features whose text depends on another feature of the same row.
_CONTEXT = {"first_response_days": "first_response_channel", "days_in_stage": "stage"}


def reason_text(
    feature: str, value: float, sign: int, row: Mapping[str, float] | None = None
) -> str:
    """German text of one reason (``sign`` +1 raises, −1 lowers the payment probability)."""
    fmt = REASON_TEXTS.get(feature)
    if fmt is None:
        return feature
    return fmt(float(value), row or {}, sign)


#: Features that describe the same fact are ranked together (their contributions add up,
#: which TreeSHAP's additivity allows); the text comes from the member that contributes most
#: in the group's direction. So "Bisher keine Zahlung" and "Noch nie gezahlt" never appear
#: side by side.
REASON_GROUPS: dict[str, str] = {
    "open_amount_eur": "amount",
    "principal_eur": "amount",
    "costs_share": "costs",
    "paid_share": "payments",
    "n_payments": "payments",
    "days_since_last_payment": "payments",
    "claim_age_days": "claim_age",
    "case_age_days": "claim_age",
    "stage": "stage",
    "days_in_stage": "stage",
    "claim_type": "claim_type",
    "is_business": "debtor_type",
    "n_contacts": "reactions",
    "n_responses": "reactions",
    "response_rate": "reactions",
    "days_since_last_response": "reactions",
    "first_response_days": "first_reaction",
    "first_response_channel": "first_reaction",
    "n_bounced_contacts": "reachability",
    "n_returned_letters": "reachability",
    "n_calls_not_reached": "reachability",
    "n_reversed_debits": "reversed_debits",
    "n_promises_kept": "promises",
    "n_promises_broken": "promises",
    "n_instalments_kept": "plan",
    "n_instalments_broken": "plan",
    "n_address_changes": "address",
    "days_since_address_change": "address",
    "other_cases": "other_cases",
    "other_cases_paid_share": "other_cases",
    "other_cases_promises_broken": "other_cases_promises",
    "other_cases_responses": "other_cases_reactions",
    "age_years": "age",
    "n_instalments": "plan_terms",
    "instalment_eur": "plan_terms",
    "instalment_share": "plan_terms",
    "capacity_eur": "affordability",
    "burden": "affordability",
}


def top_reasons(
    contributions: np.ndarray, features: pd.DataFrame, n_reasons: int = 3
) -> pd.DataFrame:
    """Top ``n_reasons`` reasons per row from a (rows × features+1) contribution matrix.

    Contributions are summed per :data:`REASON_GROUPS` group and ranked by absolute size
    (rounded to 1e-6, stable order on ties). Returns columns ``reason_{i}`` (German text),
    ``reason_code_{i}`` (``feature:+``/``feature:-``) and ``reason_effect_{i}``
    ("erhöht"/"senkt" the probability of payment), indexed like ``features``.
    """
    names = list(features.columns)
    f = len(names)
    contrib = np.asarray(contributions, dtype=np.float64)[:, :f]
    groups: list[str] = []
    for name in names:
        g = REASON_GROUPS.get(name, name)
        if g not in groups:
            groups.append(g)
    member = np.array([groups.index(REASON_GROUPS.get(n, n)) for n in names])
    onehot = np.zeros((f, len(groups)))
    onehot[np.arange(f), member] = 1.0
    gcontrib = np.round(contrib @ onehot, 6)
    order = np.argsort(-np.abs(gcontrib), axis=1, kind="stable")[:, :n_reasons]
    values = features.to_numpy(dtype=np.float64)
    col = {n: i for i, n in enumerate(names)}
    cache: dict[tuple[int, int, float, float], tuple[str, str]] = {}
    n_rows = len(features)
    rows = np.arange(n_rows)
    rounded = np.round(contrib, 6)
    out: dict[str, list[str]] = {}
    for k in range(order.shape[1]):
        grp = order[:, k]
        gc = gcontrib[rows, grp]
        sign_arr = np.where(gc > 0, 1, -1)
        # the member feature with the largest contribution in the group's direction
        masked = np.where(member[None, :] == grp[:, None], rounded * sign_arr[:, None], -np.inf)
        feat = np.argmax(masked, axis=1)
        v = values[rows, feat]
        texts, codes, effects = [], [], []
        for jj, cc, vv, r in zip(
            feat.tolist(), gc.tolist(), v.tolist(), rows.tolist(), strict=True
        ):
            if cc == 0:
                texts.append("")
                codes.append("")
                effects.append("")
                continue
            sign = 1 if cc > 0 else -1
            name = names[jj]
            ctx_name = _CONTEXT.get(name)
            ctx = values[r, col[ctx_name]] if ctx_name in col else np.nan
            key = (jj, sign, vv if vv == vv else -1e300, ctx if ctx == ctx else -1e300)
            hit = cache.get(key)
            if hit is None:
                row = {ctx_name: ctx} if ctx_name else {}
                hit = (reason_text(name, vv, sign, row), f"{name}:{'+' if sign > 0 else '-'}")
                cache[key] = hit
            texts.append(hit[0])
            codes.append(hit[1])
            effects.append(DIRECTION_DE[sign])
        out[f"reason_{k + 1}"] = texts
        out[f"reason_code_{k + 1}"] = codes
        out[f"reason_effect_{k + 1}"] = effects
    return pd.DataFrame(out, index=features.index)

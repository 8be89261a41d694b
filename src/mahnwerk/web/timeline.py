"""The timeline of a case in words, for the people who read it: agents, creditors, debtors.

An event is stored with its code (``payment.received``), the actor's label (``user:3``) and
its data (amounts as decimal strings, dates ISO). People read none of that:
:func:`describe` turns an entry into a short sentence in the page's language, amounts as
``25,00 €``, dates as ``03.05.2026``, and who did it as a person or a role, depending on the
``audience``:

- ``staff``: the colleague's e-mail address; internal reasons and notes are shown;
- ``creditor``: "Sie" for the creditor's own users and API, the agency's role otherwise;
  internal notes are left out (the service already drops them);
- ``debtor``: "Sie" for what the debtor did, nothing for the agency's own steps.

An event whose kind this module does not know is shown by its translated name, or as
"Vorgang aktualisiert", never by its code.

>>> from datetime import datetime, UTC
>>> from mahnwerk.services.workspace.desk import TimelineEntry
>>> e = TimelineEntry(datetime(2026, 5, 3, tzinfo=UTC), "payment.received", "system:x",
...                   {"amount": "25.00", "date": "2026-05-03"})
>>> describe(e, "de", "creditor").text
'Zahlung über 25,00 € eingegangen (03.05.2026)'
>>> describe(e, "en", "debtor").text
'Payment of €25.00 received (03/05/2026)'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from mahnwerk.domain.money import format_eur
from mahnwerk.services.workspace.desk import TimelineEntry
from mahnwerk.web.i18n import translate

BERLIN = ZoneInfo("Europe/Berlin")
CHANNELS = {
    "de": {"letter": "Brief", "email": "E-Mail", "sms": "SMS", "phone_task": "Anruf"},
    "en": {"letter": "Letter", "email": "E-mail", "sms": "Text message", "phone_task": "Call"},
}
ROLES = {
    "de": {
        "agent": "Sachbearbeitung",
        "teamlead": "Teamleitung",
        "compliance": "Compliance",
        "admin": "Verwaltung",
        "creditor": "Mandant",
    },
    "en": {
        "agent": "Agent",
        "teamlead": "Team lead",
        "compliance": "Compliance",
        "admin": "Administration",
        "creditor": "Creditor",
    },
}


def money(value: Any, lang: str) -> str:
    """``"25.00"`` → ``25,00 €`` (German) or ``€25.00`` (English); other text unchanged."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    if lang == "en":
        sign = "-" if amount < 0 else ""
        return f"{sign}€{abs(amount):,.2f}"
    return format_eur(amount)


def day(value: Any, lang: str = "de") -> str:
    """An ISO date (or a date) as ``03.05.2026`` (German) or ``03/05/2026`` (English)."""
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    return parsed.strftime("%d/%m/%Y" if lang == "en" else "%d.%m.%Y")


def local_time(moment: datetime, lang: str = "de") -> str:
    """A stored moment (UTC) as people in Germany read it: ``03.05.2026, 14:05``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(BERLIN)
    return local.strftime("%d/%m/%Y, %H:%M" if lang == "en" else "%d.%m.%Y, %H:%M")


@dataclass(frozen=True)
class Line:
    title: str
    detail: str = ""
    who: str = ""

    @property
    def text(self) -> str:
        return f"{self.title} ({self.detail})" if self.detail else self.title


def _label(lang: str, prefix: str, key: Any, fallback: str = "") -> str:
    text = translate(lang, f"{prefix}{key}")
    return fallback if text == f"{prefix}{key}" else text


def _stage(lang: str, value: Any) -> str:
    return _label(lang, "work.stage.", value, _label(lang, "tl.generic.", "stage"))


def _channel(lang: str, value: Any) -> str:
    return CHANNELS.get(lang, CHANNELS["de"]).get(str(value), CHANNELS[lang]["letter"])


def who_text(entry: TimelineEntry, lang: str, audience: str) -> str:
    w = entry.who
    roles = ROLES.get(lang, ROLES["de"])

    def t(key: str) -> str:
        return translate(lang, f"tl.who.{key}")

    if w.kind == "debtor":
        return t("you") if audience == "debtor" else t("debtor")
    if audience == "debtor":
        return ""
    if w.kind == "creditor":
        return t("you") if audience == "creditor" else t("creditor")
    if w.kind == "staff":
        if audience == "staff":
            return f"{w.name} ({roles.get(w.role, w.role)})"
        return t("agency")
    if w.kind == "operator":
        return t("operator") if audience == "staff" else t("agency")
    return t("system")


def describe(entry: TimelineEntry, lang: str, audience: str = "staff") -> Line:
    """The entry as a sentence for ``audience`` (``staff``, ``creditor`` or ``debtor``)."""
    d = entry.data or {}

    def t(key: str) -> str:
        return translate(lang, f"tl.{key}")

    def fill(key: str, **values: Any) -> str:
        text = t(key)
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    kind = entry.kind
    detail = ""
    if entry.document is not None:
        title = fill("document", kind=_label(lang, "work.event.", kind, t("generic.document")))
        return Line(title, entry.document.filename, "")
    if kind == "case.created":
        title = fill("case.created", n=d.get("claims", 1))
    elif kind == "stage.changed":
        title = fill(
            "stage.changed", old=_stage(lang, d.get("old")), new=_stage(lang, d.get("new"))
        )
    elif kind == "payment.received":
        title = fill("payment.received", amount=money(d.get("amount", ""), lang))
        detail = day(d["date"], lang) if d.get("date") else ""
    elif kind == "payment.reversed":
        title = fill("payment.reversed", amount=money(d.get("amount", ""), lang))
        detail = str(d.get("reason") or "") if audience == "staff" else ""
    elif kind in ("dispute.opened", "case.recalled"):
        title = t(kind)
        detail = str(d.get("reason") or "") if audience != "creditor" else ""
    elif kind in ("dunning.step", "message.sent", "message.failed", "message.skipped"):
        what = _label(lang, "tl.template.", d.get("template"), "") or _stage(lang, d.get("stage"))
        title = fill(kind, channel=_channel(lang, d.get("channel")), what=what)
        if kind == "message.failed" and audience == "staff":
            detail = str(d.get("error") or "")
        if kind == "message.skipped" and audience == "staff":
            detail = str(d.get("reason") or "")
    elif kind in ("approval.requested", "approval.approved", "approval.rejected"):
        title = fill(kind, stage=_stage(lang, d.get("stage")))
        detail = str(d.get("reason") or "") if audience == "staff" else ""
    elif kind == "plan.agreed" or kind.startswith("plan."):
        title, detail = _plan(entry, lang, audience, fill)
    elif kind in ("flag.set", "flag.cleared"):
        flag = _label(lang, "work.flag.", d.get("flag"), t("generic.flag"))
        title = fill(kind, flag=flag)
        detail = str(d.get("note") or "") if audience == "staff" else ""
    elif kind == "call.logged":
        title = fill(kind, outcome=_label(lang, "work.outcome.", d.get("outcome"), ""))
    elif kind == "sepa.pre_notification":
        title = fill(
            kind, amount=money(d.get("amount", ""), lang), day=day(d.get("due_date"), lang)
        )
    else:
        title = _label(lang, "tl.", kind, "") or _label(lang, "work.event.", kind, t("generic"))
    return Line(title.strip(), detail, who_text(entry, lang, audience))


def _plan(entry: TimelineEntry, lang: str, audience: str, fill: Any) -> tuple[str, str]:
    d = entry.data or {}
    amount = money(d.get("instalment") or d.get("amount") or "", lang)
    count = d.get("count") or 1
    start = day(d["start"], lang) if d.get("start") else ""
    if entry.kind == "plan.agreed":
        if d.get("plan_kind") == "promise" or str(count) == "1":
            return fill("plan.promise", amount=amount, day=start), ""
        return fill("plan.agreed", count=count, amount=amount, start=start), ""
    if entry.kind in ("plan.proposed", "plan.countered") and (
        d.get("instalment") or d.get("amount")
    ):
        return fill(entry.kind, count=count, amount=amount, start=start), ""
    key = f"tl.{entry.kind}"
    text = translate(lang, key)
    if text == key:
        text = _label(lang, "work.event.", entry.kind, translate(lang, "tl.generic"))
    note = str(d.get("note") or "") if audience != "creditor" else ""
    return text, note

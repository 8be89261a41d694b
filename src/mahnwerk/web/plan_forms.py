"""What the plan pages of the portal and the workspace share: the messages of refused plan
input in the page's language (German from the rule itself, English from ``web/i18n.py``)."""

from __future__ import annotations

from collections.abc import Iterable

from mahnwerk.domain.affordability import Problem
from mahnwerk.web.i18n import translate


def problem_text(lang: str, problem: Problem) -> str:
    """The problem's message; in English from ``plans.error.<code>`` with its values.

    >>> p = Problem("amount", "min_instalment", "Die Rate muss mindestens 25,00 € betragen.",
    ...             (("min", "25,00 €"),))
    >>> problem_text("en", p)
    'The instalment must be at least 25,00 € (set by the creditor).'
    >>> problem_text("de", p)
    'Die Rate muss mindestens 25,00 € betragen.'
    """
    if lang == "de":
        return problem.text
    key = f"plans.error.{problem.code}"
    text = translate(lang, key)
    if text == key:
        return problem.text
    for name, value in problem.values:
        text = text.replace("{" + name + "}", value)
    return text


def problem_messages(lang: str, problems: Iterable[Problem]) -> dict[str, str]:
    """Field → message (the first problem of each field), for ``error_summary``."""
    out: dict[str, str] = {}
    for p in problems:
        out.setdefault(p.field, problem_text(lang, p))
    return out

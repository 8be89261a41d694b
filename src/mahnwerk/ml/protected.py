"""Protected attributes: held apart from the features, used only by the fairness audit.

The rule of DESIGN.md ("Protected attributes never enter a model") is enforced twice:
features are built from a whitelist (:data:`mahnwerk.ml.features.ALLOWED_FEATURES`), and
:func:`check_no_protected` raises if a column that is, or stands for, a protected attribute
reaches a feature matrix anyway. Age is special: it is protected, but the issue allows it if
the audit shows it does no harm; it is off by default and must be switched on explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Attributes the audit groups by (the simulator and the store hold them apart).
PROTECTED_ATTRIBUTES: tuple[str, ...] = ("sex", "age_band", "nationality")

#: Name tokens (split at "_", "-", " ") that mark a protected attribute or a proxy for one:
#: sex/gender, nationality/origin/ethnicity/religion, language, names and postcodes
#: (postcode and first name are classic proxies for origin).
FORBIDDEN_TOKENS: frozenset[str] = frozenset(
    {
        "sex", "gender", "geschlecht", "female", "male", "divers",
        "nationality", "nationalitaet", "staatsangehoerigkeit", "citizenship", "foreign",
        "origin", "herkunft", "ethnicity", "ethnic", "race", "religion", "konfession",
        "migration", "migrationshintergrund", "birthplace", "geburtsort", "geburtsland",
        "language", "sprache", "muttersprache",
        "firstname", "vorname", "surname", "nachname", "lastname", "name",
        "postcode", "plz", "zip", "zipcode", "postleitzahl",
    }
)  # fmt: skip

#: Column names that carry a person's age (allowed only with ``allow_age=True``).
AGE_COLUMNS: frozenset[str] = frozenset(
    {"age", "age_years", "age_in_years", "alter", "birth_date", "geburtsdatum", "age_band"}
)


class ProtectedAttributeError(ValueError):
    """A protected attribute (or a proxy for one) reached a feature matrix."""


def _tokens(name: str) -> set[str]:
    return set(name.lower().replace("-", "_").replace(" ", "_").split("_"))


def protected_columns(columns: Iterable[str], allow_age: bool = False) -> list[str]:
    """The columns among ``columns`` that are protected attributes or proxies for them."""
    found = []
    for col in columns:
        name = str(col).lower()
        forbidden = bool(_tokens(name) & FORBIDDEN_TOKENS) or name in PROTECTED_ATTRIBUTES
        age = name in AGE_COLUMNS and not (allow_age and name != "age_band")
        if forbidden or age:
            found.append(str(col))
    return found


def check_no_protected(columns: Iterable[str], allow_age: bool = False) -> None:
    """Raise :class:`ProtectedAttributeError` if a protected column is among ``columns``."""
    bad = protected_columns(columns, allow_age=allow_age)
    if bad:
        raise ProtectedAttributeError(
            f"Geschützte Merkmale dürfen nicht in die Merkmalsmatrix: {', '.join(bad)} "
            f"(protected attributes must not enter the feature matrix)"
        )

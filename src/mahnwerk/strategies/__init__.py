"""Dunning strategies from YAML files: loaded, validated, and chosen per creditor; the one
loader for the daily run's planning (services) and the vectorised decisions (batch).

Where a strategy named ``N`` is looked up, first match wins:

1. ``<var_dir>/strategies/N.yaml`` (the operator's own strategies, outside the package);
2. ``mahnwerk/strategies/N.yaml`` (shipped: ``standard``).

A creditor chooses one with ``creditor.settings["strategy"] = "N"``; without it ``standard``
applies. A file that does not validate raises :class:`StrategyError` whose message names the
file, the step (counted from 1) and the field.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from mahnwerk.domain.strategy import DEFAULT_FLAT_FEE_CAP, Strategy, parse_strategy

BUILTIN_DIR = Path(__file__).resolve().parent
DEFAULT_STRATEGY = "standard"


class StrategyError(ValueError):
    """A strategy that cannot be used; the message is German and names file, step, field."""


def load_strategy_file(path: Path, *, flat_fee_cap: Decimal = DEFAULT_FLAT_FEE_CAP) -> Strategy:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StrategyError(f"{path}: nicht lesbar ({exc})") from exc
    except yaml.YAMLError as exc:
        raise StrategyError(f"{path}: kein gültiges YAML ({exc})") from exc
    strategy, problems = parse_strategy(data, flat_fee_cap=flat_fee_cap)
    if strategy is None:
        raise StrategyError(f"{path}: " + "; ".join(problems))
    if strategy.name != path.stem:
        raise StrategyError(
            f"{path}: Feld 'name' ist {strategy.name!r}, die Datei heißt aber {path.stem!r}"
        )
    return strategy


class StrategyBook:
    """Strategies by name, loaded once (a run uses the same version for every case)."""

    def __init__(
        self, search: tuple[Path, ...] = (), *, flat_fee_cap: Decimal = DEFAULT_FLAT_FEE_CAP
    ):
        self.search = (*search, BUILTIN_DIR)
        self.flat_fee_cap = flat_fee_cap
        self._cache: dict[str, Strategy] = {}

    def get(self, name: str) -> Strategy:
        if name not in self._cache:
            if not name or "/" in name or "\\" in name or name.startswith("."):
                raise StrategyError(f"ungültiger Strategiename {name!r}")
            for folder in self.search:
                path = folder / f"{name}.yaml"
                if path.is_file():
                    self._cache[name] = load_strategy_file(path, flat_fee_cap=self.flat_fee_cap)
                    break
            else:
                where = ", ".join(str(f) for f in self.search)
                raise StrategyError(f"Strategie {name!r} nicht gefunden (gesucht in {where})")
        return self._cache[name]

    def for_creditor(self, settings: dict[str, object] | None) -> Strategy:
        name = (settings or {}).get("strategy") or DEFAULT_STRATEGY
        return self.get(str(name))


def builtin_strategies() -> list[Strategy]:
    """Every shipped strategy (validated)."""
    return [load_strategy_file(p) for p in sorted(BUILTIN_DIR.glob("*.yaml"))]

"""Settings, read once from the environment (never from the repository).

- ``MAHNWERK_DATABASE_URL``: SQLAlchemy URL; default ``sqlite:///var/mahnwerk.db`` in the
  working directory; PostgreSQL as ``postgresql+psycopg://user@host:port/db``.
- ``MAHNWERK_VAR_DIR``: where the embedded database and documents live (default ``var``).
- ``MAHNWERK_SECRET_KEY``: signs sessions and tokens; default: generated once per
  installation into ``var/secret_key``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    secret_key: str

    @property
    def documents_dir(self) -> Path:
        return self.var_dir / "documents"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ) if env is None else env
    var_dir = Path(env.get("MAHNWERK_VAR_DIR", "var")).resolve()
    url = env.get("MAHNWERK_DATABASE_URL") or f"sqlite:///{var_dir / 'mahnwerk.db'}"
    secret = env.get("MAHNWERK_SECRET_KEY") or _installation_secret(var_dir)
    return Settings(database_url=url, var_dir=var_dir, secret_key=secret)


def _installation_secret(var_dir: Path) -> str:
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key

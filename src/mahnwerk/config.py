"""Settings, read once from the environment (never from the repository).

- ``MAHNWERK_DATABASE_URL``: SQLAlchemy URL; default ``sqlite:///var/mahnwerk.db`` in the
  working directory; PostgreSQL as ``postgresql+psycopg://user@host:port/db``.
- ``MAHNWERK_VAR_DIR``: where the embedded database and documents live (default ``var``).
- ``MAHNWERK_SECRET_KEY``: signs sessions and tokens; default: generated once per
  installation into ``var/secret_key``.

Channels of the dunning run (unset = the channel is not configured; its messages stay in the
outbox until it is):

- ``MAHNWERK_SMTP_HOST``, ``MAHNWERK_SMTP_PORT`` (587), ``MAHNWERK_SMTP_USER``,
  ``MAHNWERK_SMTP_PASSWORD``, ``MAHNWERK_SMTP_TLS`` (``starttls`` default, ``ssl``, ``none``),
  ``MAHNWERK_SMTP_FROM``: e-mail.
- ``MAHNWERK_SMS_URL``, ``MAHNWERK_SMS_TOKEN``: the SMS gateway (JSON over HTTP).
- ``MAHNWERK_PRINT_DIR``: where letter batches for the print service go (default
  ``var/print``).
- ``MAHNWERK_CONTACTS_PER_WEEK``: contacts per debtor in 7 days (default 3).
- ``MAHNWERK_AGENCY_NAME``, ``MAHNWERK_AGENCY_ADDRESS``, ``MAHNWERK_AGENCY_EMAIL``,
  ``MAHNWERK_AGENCY_REGISTRATION``, ``MAHNWERK_AGENCY_PHONE``: the sender named in letters,
  e-mails and SMS (address as ``Straße 1, 12345 Ort``).
- ``MAHNWERK_AGENCY_IBAN``, ``MAHNWERK_AGENCY_BIC``: the agency's trust account
  (Treuhandkonto), which debtors pay to for creditors without an account of their own; the
  administrator's start page shows which agency details are missing.
- ``MAHNWERK_PUBLIC_URL``: where debtors reach the portal (printed on letters).
- ``MAHNWERK_AGENCY_CREDITOR_ID``: the agency's SEPA Gläubiger-ID (direct debits); with
  ``MAHNWERK_AGENCY_IBAN``/``…_BIC`` below, the agency as a SEPA party.
- ``MAHNWERK_PAYOUT_DAY``: day of the month (1–28) on which the worker pays the previous
  month out to the creditors (pain.001, settlements as CSV and PDF in ``var/payouts``;
  default off: ``mahnwerk bank payout`` by hand).

Payment plans from affordability (the agency's assumptions, not legal figures):

- ``MAHNWERK_AFFORDABILITY_MARGIN``: euros a month left free above the § 850c allowance
  and above the budget (default 50.00);
- ``MAHNWERK_AFFORDABILITY_LIVING_COSTS``, ``…_PER_DEPENDANT``: monthly living costs
  besides rent and fixed costs assumed for the debtor and for each dependant (defaults
  600.00 and 300.00).
- ``MAHNWERK_WEBHOOK_INTERVAL``: seconds between two webhook delivery passes (default 5;
  0 = off).
- ``MAHNWERK_MATCH_THRESHOLD``: the score from which a bank entry is booked to a case
  without review (0 < t <= 1, default 0.9).

The worker (``mahnwerk worker``) and the delivery of the outbox:

- ``MAHNWERK_DAILY_RUN_AT``: local time (Europe/Berlin) of the scheduled daily run on the
  agency's working days (default ``06:00``; ``off`` = the worker does not schedule it).
- ``MAHNWERK_AGENCY_LAND``: the Land whose public holidays are no working days (``BY``,
  ``NW`` …; default: from the postcode of ``MAHNWERK_AGENCY_ADDRESS``, else nationwide
  holidays only).
- ``MAHNWERK_DELIVERY_BATCH``: messages per delivery job, one print bundle of letters
  (default 200).
- ``MAHNWERK_DELIVERY_LEASE``: seconds a worker's claim on messages lasts without renewal;
  after that another worker takes them over (default 120).
- ``MAHNWERK_WORKER_POLL``: seconds between two passes of a worker's scheduler (heartbeat,
  queueing due messages, periodic jobs; default 2).
The court dunning procedure (EDA files for the Mahngericht):

- ``MAHNWERK_EDA_KENNZIFFER``: the agency's Kennziffer as Prozessbevollmächtigter and EDA
  participant (8 characters, assigned by the Mahngericht); without it nothing is exported.
- ``MAHNWERK_EDA_EINREICHER``: an Einreicher-Kennziffer (EKEZI) if another participant
  submits the files (default: none).
- ``MAHNWERK_EDA_FILE_CODE``: the three-letter code the court assigned for file names
  (``ABC`` → ``ABC001.EDA`` … ``ABC499.EDA``); without it files are numbered with six digits.
- ``MAHNWERK_EDA_STREITIG``: ``1`` asks the court to hand a case to the Streitgericht after a
  Widerspruch (``ASTRVM``, § 696 Abs. 1 ZPO; default off: an Inkasso agency may not represent
  there, § 79 Abs. 2 ZPO).
- ``MAHNWERK_EDA_OUTBOX``: where EDA files are written for the beA/EGVP client (default
  ``var/eda/out``); ``MAHNWERK_EDA_INBOX``: where the court's replies are picked up
  (default ``var/eda/in``).

Enforcement (ZVFV forms, the measure proposal):

- ``MAHNWERK_AGENCY_IBAN``, ``MAHNWERK_AGENCY_BIC``: the agency's account for collected money
  (printed on enforcement forms when the creditor has no ``payment_account``);
  ``MAHNWERK_AGENCY_SAFE_ID``: its SAFE-ID for electronic legal communication (beA/EGVP).
- ``MAHNWERK_GKG_KV2111``: the court fee of a PfÜB application (GKG KV 2111, a fixed fee in
  euro). Not shipped: the GKG cost table is not in the project's reference texts, so the
  expected cost of a garnishment says "not known" until an operator sets it.
The next-best-action policy (``nba`` steps of a strategy, ``mahnwerk nba …``):

- ``MAHNWERK_NBA_COST_LETTER`` (0.95), ``…_EMAIL`` (0.02), ``…_SMS`` (0.09), ``…_CALL``
  (2.50): what one contact costs, in euros.
- ``MAHNWERK_NBA_CONTACT_PRICE`` (10.00): the price in euros the policy puts on each contact
  for the debtor's annoyance and the contact budget (higher: fewer contacts);
  ``MAHNWERK_NBA_UNANSWERED_PRICE`` (0.5): each unanswered contact in a row makes the next
  one this much dearer (as a multiple of the contact price).
- ``MAHNWERK_NBA_COMPLAINT_PRICE`` (50.00) and ``MAHNWERK_NBA_COMPLAINT_SHARE`` (2.0): the
  price of a complaint, in euros plus this multiple of the open balance.
- ``MAHNWERK_NBA_MAX_CONTACTS_7D`` (2): no further contact once this many were made in seven
  days, unless the debtor asked for it.
- ``MAHNWERK_NBA_HORIZON_DAYS`` (21): how long after a decision its payments count.
- ``MAHNWERK_NBA_EXPLORATION`` (0.002): the share of decisions drawn uniformly among the
  allowed actions (so the next version can be evaluated offline).
- ``MAHNWERK_NBA_SAMPLE_SCALE`` (0.0): the width of the Thompson draws from the models'
  posteriors (1: as learned; 0: greedy on the posterior means, the default, since the shipped
  prior is informed and greedy choice earned more in the simulator, see the README).
- ``MAHNWERK_NBA_HOLDOUT_SHARE`` (0.10): the permanent control group on the fixed strategy,
  chosen by a stable hash of the case (``MAHNWERK_NBA_HOLDOUT_SALT``).
Default and the sender's legal data (issue 17):

- ``MAHNWERK_RECEIPT_DAYS``: days after its date on which a reminder is taken to have arrived
  and put the debtor in default (§ 286 BGB; default 4, an assumption, see
  ``mahnwerk.domain.default``).
- ``MAHNWERK_AGENCY_WEBSITE``, ``MAHNWERK_AGENCY_COMMERCIAL_REGISTER``,
  ``MAHNWERK_AGENCY_MANAGING_DIRECTORS``, ``MAHNWERK_AGENCY_DATA_PROTECTION_CONTACT``: further
  sender data for the imprint and the data-protection notice (``/impressum``, ``/datenschutz``).
The portal assistant:

- ``MAHNWERK_OFFICE_HOURS``: when the agency's people answer (the portal assistant tells a
  debtor when to expect a person), e.g. ``Mo-Fr 08:00-18:00`` (default) or
  ``Mo-Do 08:00-17:00, Fr 08:00-14:00``; the public holidays of ``MAHNWERK_AGENCY_LAND``
  close the office.

Security of the web server (README, "Security for operators"):

- ``MAHNWERK_TRUSTED_PROXIES``: addresses or networks (comma-separated, e.g.
  ``127.0.0.1,10.0.0.0/24``) of the reverse proxies in front of mahnwerk; only from these is
  ``X-Forwarded-For`` believed (default: none, the peer's address counts).
- ``MAHNWERK_SESSION_IDLE_MINUTES``: a signed-in session ends after this long without a
  request (default 30); ``MAHNWERK_SESSION_MAX_HOURS``: and this long after the sign-in
  whatever happens (default 10). The cookie is ``Secure`` when ``MAHNWERK_PUBLIC_URL`` is https.
- Request size limits, in bytes (``K``/``M`` suffixes allowed), refused with 413 before the
  body is read: ``MAHNWERK_LIMIT_API_JSON`` (API bodies, default 1M),
  ``MAHNWERK_LIMIT_BANK_STATEMENT`` (50M), ``MAHNWERK_LIMIT_PORTAL_EVIDENCE`` (the request
  with a debtor's upload, 6M: a file of up to 5 MB and the form), ``MAHNWERK_LIMIT_FORM``
  (every other page form, 256K).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    secret_key: str
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: str = "starttls"  # starttls, ssl, none
    smtp_from: str = "inkasso@localhost"
    sms_url: str | None = None
    sms_token: str | None = None
    print_dir: Path | None = None
    contacts_per_week: int = 3
    agency_name: str = ""
    agency_address: str = ""
    agency_email: str = ""
    agency_registration: str = ""
    agency_phone: str = ""
    public_url: str = "http://127.0.0.1:8000"
    #: § 286 BGB: days until a reminder is taken to have arrived (an assumption)
    receipt_days: int = 4
    agency_website: str = ""
    agency_commercial_register: str = ""
    agency_managing_directors: str = ""
    #: who answers data-protection questions (the data-protection officer, if one is named)
    agency_data_protection_contact: str = ""
    #: webhooks may reach loopback and private networks (a local test receiver, an ERP
    #: in the agency's own network); off by default, so a creditor cannot make the
    #: server call into the operator's internal network (SSRF)
    webhook_allow_private: bool = False
    #: open cases per partition of the daily run's planning (a transaction each; a run killed
    #: in the middle redoes at most the partitions in flight)
    plan_partition_size: int = 25_000
    affordability_margin: Decimal = Decimal("50.00")
    affordability_living_costs: Decimal = Decimal("600.00")
    affordability_living_costs_per_dependant: Decimal = Decimal("300.00")
    #: seconds between two webhook delivery passes (worker and ``serve``); 0 = off
    webhook_interval: float = 5.0
    #: bank entries scoring at least this are booked without review
    match_threshold: float = 0.9
    #: local time of the scheduled daily run ("HH:MM", Europe/Berlin); None = not scheduled
    daily_run_at: str | None = "06:00"
    #: the agency's Land (holidays); None = nationwide holidays only
    agency_land: str | None = None
    #: messages per delivery job (one print bundle of letters)
    delivery_batch: int = 200
    #: seconds a claim on outbox messages lasts unless renewed
    delivery_lease: float = 120.0
    #: seconds between two passes of a worker's scheduler
    worker_poll: float = 2.0
    eda_kennziffer: str = ""
    eda_einreicher: str = ""
    eda_file_code: str = ""
    eda_streitig: bool = False
    eda_outbox: Path | None = None
    eda_inbox: Path | None = None
    agency_iban: str = ""
    agency_bic: str = ""
    #: the agency's SEPA creditor identifier (Gläubiger-ID) for direct debits
    agency_creditor_id: str = ""
    #: day of the month (1–28) on which the worker pays out the previous month; None = off
    payout_day: int | None = None
    agency_safe_id: str = ""
    #: GKG KV 2111 (PfÜB court fee) as set by the operator; None = not known
    gkg_kv2111_fee: Decimal | None = None
    #: next-best-action policy (``MAHNWERK_NBA_*``)
    nba: NbaSettings = field(default_factory=lambda: NbaSettings())
    #: retention in years after the end of the year a debtor's last case ended (§ 257 Abs. 4,
    #: 5 HGB, § 147 Abs. 3 AO): books (claims, costs, payments, postings: kept with their
    #: amounts, the person anonymised), letters (Handelsbriefe: 6 years), contact data and
    #: scores (no duty to keep: 3 years for complaints within the regular limitation period,
    #: § 195 BGB; scores 1 year)
    retention_books_years: int = 10
    retention_letters_years: int = 6
    retention_contacts_years: int = 3
    retention_scores_years: int = 1
    #: the agency's office hours (the portal assistant names them when a person takes over)
    office_hours: str = "Mo-Fr 08:00-18:00"
    #: reverse proxies whose X-Forwarded-For is believed (addresses or networks)
    trusted_proxies: tuple[str, ...] = ()
    #: a signed-in session ends after this many minutes without a request …
    session_idle_minutes: float = 30.0
    #: … and this many hours after the sign-in
    session_max_hours: float = 10.0
    #: request body limits in bytes (see :mod:`mahnwerk.api.limits`)
    limit_api_json: int = 1 << 20
    limit_bank_statement: int = 50 << 20
    limit_portal_evidence: int = 6 << 20
    limit_form: int = 256 << 10

    @property
    def cookie_secure(self) -> bool:
        """Session cookies only over https when the public address is https."""
        return self.public_url.lower().startswith("https://")

    @property
    def documents_dir(self) -> Path:
        return self.var_dir / "documents"

    @property
    def assistant_dir(self) -> Path:
        """Where the portal assistant keeps its trained intent model."""
        return self.var_dir / "assistant"

    @property
    def bundles_dir(self) -> Path:
        """Where letter bundles are handed over to the print service."""
        return self.print_dir or self.var_dir / "print"

    @property
    def payouts_dir(self) -> Path:
        """Where the worker's scheduled payouts write their files."""
        return self.var_dir / "payouts"

    @property
    def eda_outbox_dir(self) -> Path:
        return self.eda_outbox or self.var_dir / "eda" / "out"

    @property
    def eda_inbox_dir(self) -> Path:
        return self.eda_inbox or self.var_dir / "eda" / "in"


#: the process's file creation mask: files owner-only (0600), folders owner-only (0700)
PRIVATE_UMASK = 0o077


def private_files() -> None:
    """Make every file and folder this process creates owner-only (database, WAL, documents,
    print bundles, models, the secret key): they hold personal data. Called once at the start
    of the ``mahnwerk`` command and of the web server."""
    os.umask(PRIVATE_UMASK)


@dataclass(frozen=True)
class NbaSettings:
    """The next-best-action policy's settings (see the module docstring)."""

    cost_letter: Decimal = Decimal("0.95")
    cost_email: Decimal = Decimal("0.02")
    cost_sms: Decimal = Decimal("0.09")
    cost_call: Decimal = Decimal("2.50")
    #: the price of a contact (annoyance, contact budget) and of a complaint, in euros
    contact_price: Decimal = Decimal("10.00")
    unanswered_price: float = 0.5
    complaint_price: Decimal = Decimal("50.00")
    complaint_share: float = 2.0
    max_contacts_7d: int = 2
    horizon_days: int = 21
    exploration: float = 0.002
    sample_scale: float = 0.0
    holdout_share: float = 0.10
    holdout_salt: str = "mahnwerk-nba"

    @property
    def costs(self) -> dict[str, Decimal]:
        """Contact cost by channel (letter, email, sms, call)."""
        return {
            "letter": self.cost_letter,
            "email": self.cost_email,
            "sms": self.cost_sms,
            "call": self.cost_call,
        }


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ) if env is None else env
    var_dir = Path(env.get("MAHNWERK_VAR_DIR", "var")).resolve()
    url = env.get("MAHNWERK_DATABASE_URL") or f"sqlite:///{var_dir / 'mahnwerk.db'}"
    secret = env.get("MAHNWERK_SECRET_KEY") or _installation_secret(var_dir)
    return Settings(
        database_url=url,
        var_dir=var_dir,
        secret_key=secret,
        smtp_host=env.get("MAHNWERK_SMTP_HOST") or None,
        smtp_port=int(env.get("MAHNWERK_SMTP_PORT") or 587),
        smtp_user=env.get("MAHNWERK_SMTP_USER") or None,
        smtp_password=env.get("MAHNWERK_SMTP_PASSWORD") or None,
        smtp_tls=_tls_mode(env.get("MAHNWERK_SMTP_TLS", "starttls")),
        smtp_from=env.get("MAHNWERK_SMTP_FROM") or "inkasso@localhost",
        sms_url=env.get("MAHNWERK_SMS_URL") or None,
        sms_token=env.get("MAHNWERK_SMS_TOKEN") or None,
        print_dir=Path(env.get("MAHNWERK_PRINT_DIR") or var_dir / "print").resolve(),
        contacts_per_week=int(env.get("MAHNWERK_CONTACTS_PER_WEEK") or 3),
        agency_name=env.get("MAHNWERK_AGENCY_NAME", ""),
        agency_address=env.get("MAHNWERK_AGENCY_ADDRESS", ""),
        agency_email=env.get("MAHNWERK_AGENCY_EMAIL", ""),
        agency_registration=env.get("MAHNWERK_AGENCY_REGISTRATION", ""),
        agency_phone=env.get("MAHNWERK_AGENCY_PHONE", ""),
        public_url=(env.get("MAHNWERK_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
        receipt_days=_days(env.get("MAHNWERK_RECEIPT_DAYS"), 4),
        agency_website=env.get("MAHNWERK_AGENCY_WEBSITE", ""),
        agency_commercial_register=env.get("MAHNWERK_AGENCY_COMMERCIAL_REGISTER", ""),
        agency_managing_directors=env.get("MAHNWERK_AGENCY_MANAGING_DIRECTORS", ""),
        agency_data_protection_contact=env.get("MAHNWERK_AGENCY_DATA_PROTECTION_CONTACT", ""),
        webhook_allow_private=(env.get("MAHNWERK_WEBHOOK_ALLOW_PRIVATE") or "").strip().lower()
        in ("1", "true", "yes"),
        plan_partition_size=int(env.get("MAHNWERK_PLAN_PARTITION_SIZE") or 25_000),
        affordability_margin=_euros(env, "MAHNWERK_AFFORDABILITY_MARGIN", "50.00"),
        affordability_living_costs=_euros(env, "MAHNWERK_AFFORDABILITY_LIVING_COSTS", "600.00"),
        affordability_living_costs_per_dependant=_euros(
            env, "MAHNWERK_AFFORDABILITY_LIVING_COSTS_PER_DEPENDANT", "300.00"
        ),
        webhook_interval=float(env.get("MAHNWERK_WEBHOOK_INTERVAL") or 5),
        match_threshold=_threshold(env.get("MAHNWERK_MATCH_THRESHOLD") or "0.9"),
        daily_run_at=_clock(env.get("MAHNWERK_DAILY_RUN_AT", "06:00")),
        agency_land=(env.get("MAHNWERK_AGENCY_LAND") or "").strip().upper()
        or _land_of(env.get("MAHNWERK_AGENCY_ADDRESS", "")),
        delivery_batch=max(1, int(env.get("MAHNWERK_DELIVERY_BATCH") or 200)),
        retention_books_years=int(env.get("MAHNWERK_RETENTION_BOOKS_YEARS") or 10),
        retention_letters_years=int(env.get("MAHNWERK_RETENTION_LETTERS_YEARS") or 6),
        retention_contacts_years=int(env.get("MAHNWERK_RETENTION_CONTACTS_YEARS") or 3),
        retention_scores_years=int(env.get("MAHNWERK_RETENTION_SCORES_YEARS") or 1),
        delivery_lease=float(env.get("MAHNWERK_DELIVERY_LEASE") or 120),
        worker_poll=float(env.get("MAHNWERK_WORKER_POLL") or 2),
        eda_kennziffer=(env.get("MAHNWERK_EDA_KENNZIFFER") or "").strip(),
        eda_einreicher=(env.get("MAHNWERK_EDA_EINREICHER") or "").strip(),
        eda_file_code=(env.get("MAHNWERK_EDA_FILE_CODE") or "").strip().upper(),
        eda_streitig=(env.get("MAHNWERK_EDA_STREITIG") or "").strip().lower()
        in ("1", "true", "yes"),
        eda_outbox=Path(env.get("MAHNWERK_EDA_OUTBOX") or var_dir / "eda" / "out").resolve(),
        eda_inbox=Path(env.get("MAHNWERK_EDA_INBOX") or var_dir / "eda" / "in").resolve(),
        agency_iban=(env.get("MAHNWERK_AGENCY_IBAN") or "").replace(" ", ""),
        agency_bic=env.get("MAHNWERK_AGENCY_BIC", ""),
        agency_creditor_id=(env.get("MAHNWERK_AGENCY_CREDITOR_ID") or "").strip(),
        payout_day=_payout_day(env.get("MAHNWERK_PAYOUT_DAY") or ""),
        office_hours=env.get("MAHNWERK_OFFICE_HOURS") or "Mo-Fr 08:00-18:00",
        agency_safe_id=env.get("MAHNWERK_AGENCY_SAFE_ID", ""),
        gkg_kv2111_fee=_optional_amount(env, "MAHNWERK_GKG_KV2111"),
        nba=load_nba_settings(env),
        trusted_proxies=_networks(env.get("MAHNWERK_TRUSTED_PROXIES", "")),
        session_idle_minutes=_positive(env, "MAHNWERK_SESSION_IDLE_MINUTES", 30),
        session_max_hours=_positive(env, "MAHNWERK_SESSION_MAX_HOURS", 10),
        limit_api_json=_size(env, "MAHNWERK_LIMIT_API_JSON", "1M"),
        limit_bank_statement=_size(env, "MAHNWERK_LIMIT_BANK_STATEMENT", "50M"),
        limit_portal_evidence=_size(env, "MAHNWERK_LIMIT_PORTAL_EVIDENCE", "6M"),
        limit_form=_size(env, "MAHNWERK_LIMIT_FORM", "256K"),
    )


def load_nba_settings(env: dict[str, str] | None = None) -> NbaSettings:
    """Only the next-best-action settings (``mahnwerk nba session`` needs no database)."""
    env = dict(os.environ) if env is None else env

    def money(key: str, default: str) -> Decimal:
        value = Decimal((env.get(f"MAHNWERK_NBA_{key}") or default).strip())
        if not value.is_finite() or value < 0:
            raise ValueError(f"MAHNWERK_NBA_{key}: Betrag ≥ 0 erwartet, nicht {value}")
        return value.quantize(Decimal("0.01"))

    def number(key: str, default: float, lo: float, hi: float) -> float:
        value = float(env.get(f"MAHNWERK_NBA_{key}") or default)
        if not lo <= value <= hi:
            raise ValueError(f"MAHNWERK_NBA_{key}: Zahl von {lo} bis {hi} erwartet, nicht {value}")
        return value

    return NbaSettings(
        cost_letter=money("COST_LETTER", "0.95"),
        cost_email=money("COST_EMAIL", "0.02"),
        cost_sms=money("COST_SMS", "0.09"),
        cost_call=money("COST_CALL", "2.50"),
        contact_price=money("CONTACT_PRICE", "10.00"),
        unanswered_price=number("UNANSWERED_PRICE", 0.5, 0.0, 100.0),
        complaint_price=money("COMPLAINT_PRICE", "50.00"),
        complaint_share=number("COMPLAINT_SHARE", 2.0, 0.0, 100.0),
        max_contacts_7d=int(number("MAX_CONTACTS_7D", 2, 1, 3)),
        horizon_days=int(number("HORIZON_DAYS", 21, 1, 90)),
        exploration=number("EXPLORATION", 0.002, 0.0, 0.5),
        sample_scale=number("SAMPLE_SCALE", 0.0, 0.0, 1.0),
        holdout_share=number("HOLDOUT_SHARE", 0.10, 0.0, 0.9),
        holdout_salt=env.get("MAHNWERK_NBA_HOLDOUT_SALT") or "mahnwerk-nba",
    )


def _networks(value: str) -> tuple[str, ...]:
    """``"127.0.0.1, 10.0.0.0/24"`` → ``("127.0.0.1/32", "10.0.0.0/24")``.

    >>> _networks("127.0.0.1, 10.0.0.0/24,::1")
    ('127.0.0.1/32', '10.0.0.0/24', '::1/128')
    """
    import ipaddress

    networks = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise ValueError(
                f"MAHNWERK_TRUSTED_PROXIES: {part!r} ist keine IP-Adresse und kein Netz"
            ) from None
    return tuple(networks)


def _positive(env: dict[str, str], name: str, default: float) -> float:
    text = (env.get(name) or str(default)).strip()
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}: {text!r} ist keine Zahl") from None
    if not value > 0:
        raise ValueError(f"{name}: {text!r} muss größer als 0 sein")
    return value


def _size(env: dict[str, str], name: str, default: str) -> int:
    """A size in bytes, with an optional ``K`` or ``M`` (binary: 1K = 1024).

    >>> _size({"X": "5M"}, "X", "1K"), _size({}, "X", "256K"), _size({"X": "1000"}, "X", "1K")
    (5242880, 262144, 1000)
    """
    text = (env.get(name) or default).strip().upper().removesuffix("B")
    factor = {"K": 1 << 10, "M": 1 << 20}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    if not number.isdigit() or int(number) == 0:
        raise ValueError(f"{name}: {text!r} ist keine Größe (z. B. 1048576, 512K oder 5M)")
    return int(number) * factor


def _euros(env: dict[str, str], name: str, default: str) -> Decimal:
    text = (env.get(name) or default).strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name}: {text!r} ist kein Betrag (z. B. 50.00)") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name}: {text!r} darf nicht negativ sein")
    return value


def _threshold(value: str) -> float:
    threshold = float(value)
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"MAHNWERK_MATCH_THRESHOLD {value!r} liegt nicht in (0, 1]")
    return threshold


def _clock(value: str) -> str | None:
    """``"06:00"`` → ``"06:00"``; ``off``/empty → None (no scheduled run)."""
    text = value.strip().lower()
    if text in ("", "off", "aus", "none", "0"):
        return None
    hour, _, minute = text.partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ValueError(f"MAHNWERK_DAILY_RUN_AT: {value!r} ist keine Uhrzeit HH:MM (oder off)")
    return f"{int(hour):02d}:{int(minute):02d}"


def _land_of(address: str) -> str | None:
    """The Land of the agency's postcode (``Ballindamm 17, 20095 Hamburg`` → ``HH``)."""
    import re

    from mahnwerk.domain.contact_rules import land_for_postcode

    match = re.search(r"\b(\d{5})\b", address or "")
    return land_for_postcode(match[1], "DE") if match else None


def _optional_amount(env: dict[str, str], name: str) -> Decimal | None:
    text = (env.get(name) or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{name}: {text!r} ist kein Betrag (z. B. 24.00)") from exc
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{name}: {text!r} ist kein Betrag in Euro und Cent")
    return value


def _payout_day(value: str) -> int | None:
    text = value.strip().lower()
    if text in ("", "off", "aus"):
        return None
    if not text.isdigit() or not 1 <= int(text) <= 28:
        raise ValueError(f"MAHNWERK_PAYOUT_DAY: {value!r} ist kein Tag 1–28 (oder off)")
    return int(text)


def _days(value: str | None, default: int) -> int:
    if value is None or not value.strip():
        return default
    days = int(value)
    if not 0 <= days <= 30:
        raise ValueError(f"MAHNWERK_RECEIPT_DAYS: {value!r} liegt nicht zwischen 0 und 30")
    return days


def database_url(env: dict[str, str] | None = None) -> str:
    """The database URL alone (for commands that only read, without creating a secret)."""
    env = dict(os.environ) if env is None else env
    var_dir = Path(env.get("MAHNWERK_VAR_DIR", "var")).resolve()
    return env.get("MAHNWERK_DATABASE_URL") or f"sqlite:///{var_dir / 'mahnwerk.db'}"


def _tls_mode(value: str) -> str:
    mode = value.strip().lower()
    if mode in ("", "1", "true", "yes", "starttls"):
        return "starttls"
    if mode in ("ssl", "tls", "smtps"):
        return "ssl"
    if mode in ("0", "false", "no", "none", "off"):
        return "none"
    raise ValueError(f"MAHNWERK_SMTP_TLS: unbekannter Wert {value!r} (starttls, ssl, none)")


def _installation_secret(var_dir: Path) -> str:
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    # created owner-only in one step: no moment in which another user could read it
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key

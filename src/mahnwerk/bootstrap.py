"""The one place where settings are read and engines, sessions and adapters are built.

Nothing is built at import time: commands and the web server call :func:`build` when they
start, and tests build their own with a database of their choice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mahnwerk.channels.base import Channels, LetterRenderer
from mahnwerk.config import Settings, load_settings
from mahnwerk.store.db import make_engine, session_factory
from mahnwerk.store.migrate import upgrade


def install_reference_values(sessions: sessionmaker[Session]) -> None:
    """Hand the reference values operators added (the next base rate, the next garnishment
    amounts) to the reference loader; nothing if the database has no such table yet."""
    from sqlalchemy.exc import SQLAlchemyError

    from mahnwerk.store.reference import install_operator_values

    with sessions() as session:
        try:
            install_operator_values(session)
        except SQLAlchemyError:  # not migrated (``build(migrate=False)`` on an old database)
            session.rollback()


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    channels: Channels = field(default_factory=Channels)


def build_channels(settings: Settings, letters: LetterRenderer | None = None) -> Channels:
    """E-mail and SMS from the settings (``None`` where not configured); the letter renderer
    is passed in by the caller (the documents package provides it)."""
    email = None
    if settings.smtp_host:
        from mahnwerk.channels.email import SmtpConfig, SmtpEmailSender

        email = SmtpEmailSender(
            SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                user=settings.smtp_user,
                password=settings.smtp_password,
                tls=settings.smtp_tls,
                sender=settings.smtp_from,
            )
        )
    sms = None
    if settings.sms_url:  # the HTTP client is loaded only where an SMS gateway is set up
        from mahnwerk.channels.sms import HttpSmsGateway, SmsConfig

        sms = HttpSmsGateway(SmsConfig(url=settings.sms_url, token=settings.sms_token))
    return Channels(email=email, sms=sms, letters=letters)


def build(
    settings: Settings | None = None,
    *,
    migrate: bool = True,
    letters: LetterRenderer | None = None,
) -> Runtime:
    """Settings from the environment (unless given), the engine, the schema up to date and
    the outbound channels (letters rendered from the message unless another renderer is
    given)."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine, secret_key=settings.secret_key)
    sessions = session_factory(engine)
    install_reference_values(sessions)
    if letters is None:
        from mahnwerk.services.dunning.letters import PayloadLetterRenderer

        letters = PayloadLetterRenderer()
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        channels=build_channels(settings, letters),
    )


def warm_assistant(settings: Settings) -> threading.Thread:
    """Load (or, on a fresh installation, train) the portal assistant's intent model in the
    background, so that the first debtor message does not wait for it; a message that comes
    earlier waits for the same model (see :func:`mahnwerk.assistant.model.load_or_train`)."""
    from mahnwerk.assistant.model import load_or_train

    thread = threading.Thread(
        target=load_or_train, args=(settings.assistant_dir,), name="assistant-model", daemon=True
    )
    thread.start()
    return thread

"""E-mail over SMTP (smtplib), with STARTTLS, implicit TLS or none.

The message is serialised once; exactly those bytes are sent and returned as ``.eml``.

SMTP has no way to drop a repeated message, so the caller passes a deterministic
``Message-ID`` (see :func:`message_id`): if a worker dies between handing a message to the
server and recording it, a person can look it up in the server's log instead of the debtor
receiving it twice.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from mahnwerk.channels.base import Attachment, DeliveryError, Failure, Sent


def message_id(outbox_id: int, reference: str, sender: str) -> str:
    """The Message-ID of an outbox message: the same on every attempt.

    >>> message_id(42, "MW-00000042-05", "service@inkasso-nord.example")
    '<mahnwerk.42.MW-00000042-05@inkasso-nord.example>'
    """
    domain = sender.rpartition("@")[2] or "localhost"
    safe = "".join(c for c in reference if c.isalnum() or c in "-_.") or "x"
    return f"<mahnwerk.{outbox_id}.{safe}@{domain}>"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    tls: str = "starttls"  # starttls, ssl, none
    sender: str = "inkasso@localhost"
    timeout: float = 30.0


class SmtpEmailSender:
    def __init__(self, config: SmtpConfig, ssl_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self.ssl_context = ssl_context or ssl.create_default_context()

    def message_id(self, outbox_id: int, reference: str) -> str:
        return message_id(outbox_id, reference, self.config.sender)

    def build(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        attachments: tuple[Attachment, ...] = (),
        reference: str = "",
        message_id: str | None = None,
    ) -> EmailMessage:
        msg = EmailMessage(policy=SMTP)
        msg["From"] = self.config.sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        domain = self.config.sender.rpartition("@")[2] or "localhost"
        msg["Message-ID"] = message_id or make_msgid(domain=domain)
        if reference:
            msg["X-Mahnwerk-Reference"] = reference
        msg.set_content(text, charset="utf-8")
        for a in attachments:
            maintype, _, subtype = a.media_type.partition("/")
            msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
        return msg

    def send(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        attachments: tuple[Attachment, ...] = (),
        reference: str = "",
        message_id: str | None = None,
    ) -> Sent:
        msg = self.build(
            to=to,
            subject=subject,
            text=text,
            attachments=attachments,
            reference=reference,
            message_id=message_id,
        )
        raw = msg.as_bytes()
        cfg = self.config
        try:
            client: smtplib.SMTP
            if cfg.tls == "ssl":
                client = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, timeout=cfg.timeout, context=self.ssl_context
                )
            else:
                client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            with client:
                client.ehlo()
                if cfg.tls == "starttls":
                    client.starttls(context=self.ssl_context)
                    client.ehlo()
                if cfg.user:
                    client.login(cfg.user, cfg.password or "")
                client.sendmail(cfg.sender, [to], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"Empfänger abgelehnt: {to}", Failure.RECIPIENT) from exc
        except smtplib.SMTPResponseException as exc:
            failure = Failure.REJECTED if 500 <= exc.smtp_code < 600 else Failure.TEMPORARY
            err = exc.smtp_error
            text_ = err.decode(errors="replace") if isinstance(err, bytes) else str(err or "")
            raise DeliveryError(f"SMTP {exc.smtp_code}: {text_}", failure) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP-Server nicht erreichbar: {exc}") from exc
        return Sent("nachricht.eml", "message/rfc822", raw, str(msg["Message-ID"]))

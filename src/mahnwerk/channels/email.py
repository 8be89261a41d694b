"""E-mail over SMTP (smtplib), with STARTTLS, implicit TLS or none.

The message is serialised once; exactly those bytes are sent and returned as ``.eml``.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from mahnwerk.channels.base import Attachment, DeliveryError, Sent


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

    def build(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        attachments: tuple[Attachment, ...] = (),
        reference: str = "",
    ) -> EmailMessage:
        msg = EmailMessage(policy=SMTP)
        msg["From"] = self.config.sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        domain = self.config.sender.rpartition("@")[2] or "localhost"
        msg["Message-ID"] = make_msgid(domain=domain)
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
    ) -> Sent:
        msg = self.build(
            to=to, subject=subject, text=text, attachments=attachments, reference=reference
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
            raise DeliveryError(f"Empfänger abgelehnt: {to}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.smtp_code < 600
            err = exc.smtp_error
            text_ = err.decode(errors="replace") if isinstance(err, bytes) else str(err or "")
            raise DeliveryError(f"SMTP {exc.smtp_code}: {text_}", permanent=permanent) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP-Server nicht erreichbar: {exc}") from exc
        return Sent("nachricht.eml", "message/rfc822", raw, str(msg["Message-ID"]))

"""Which webhook addresses the server may send to: the whole check of a receiver's URL.

:func:`url_problem` checks the URL as written (at registration and again before every
delivery); :func:`internal` checks an IP address, a literal one or one a name resolved to.
The server refuses what could make it call into the operator's own network (SSRF) or what
its own URL parser and the HTTP client's might read differently:

- only ``http`` and ``https``, no user name or password in the URL (it would be stored and
  shown in the clear), no fragment, at most 500 characters, printable ASCII or an
  internationalised name (converted with IDNA);
- a host name of at most 253 characters in labels of 1–63 letters, digits and hyphens
  (RFC 1035/1123), with at least one dot (a single label is resolved through the search
  domains of the server's network: internal), and none of the special-use names
  (``localhost``, ``.local``, ``.internal``, ``.home.arpa``, ``.onion``, ``.test``,
  ``.invalid``: internal as well);
- IPv4 only in its usual dotted form: ``2130706433``, ``0x7f.1``, ``0177.0.0.1`` or
  ``127.1`` name 127.0.0.1 to the resolver (``inet_aton``) and are refused;
- addresses that are not public (loopback, private, link-local with the cloud metadata
  service, shared, reserved, multicast), also where an IPv6 address carries an IPv4 one:
  IPv4-mapped (``::ffff:10.0.0.1``), IPv4-compatible (``::10.0.0.1``), 6to4 (``2002::/16``),
  Teredo (``2001::/32``) and NAT64 (``64:ff9b::/96`` with its embedded address;
  ``64:ff9b:1::/48`` is a local network's own prefix and refused whole).

The operator may allow internal addresses (``MAHNWERK_WEBHOOK_ALLOW_PRIVATE``) for a
receiver in the agency's own network; the form of the URL is checked regardless.

>>> url_problem("https://erp.example.com/hooks")
>>> url_problem("http://" + "a" * 64 + ".example.com/")
'Hostname: Teil 1 ist 64 Zeichen lang (höchstens 63)'
>>> url_problem("http://2130706433/")
'Hostname 2130706433 ist eine IPv4-Adresse in Sonderschreibweise: bitte als a.b.c.d angeben'
>>> url_problem("http://[2002:7f00:1::]/")
'Ziel 2002:7f00:1:: ist keine öffentliche Adresse'
>>> url_problem("http://[2002:7f00:1::]/", allow_private=True)
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import httpx

MAX_URL = 500
MAX_HOST = 253
MAX_LABEL = 63
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
#: names that never reach a public host (RFC 6761, 6762, 7686, 8375; ICANN's .internal)
SPECIAL_USE = ("localhost", "local", "internal", "home.arpa", "onion", "test", "invalid")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def internal(address: str | IPAddress) -> bool:
    """True if ``address`` is not a public unicast address, or carries one that is not.

    >>> [internal(a) for a in ("8.8.8.8", "10.0.0.1", "224.0.0.1", "::ffff:127.0.0.1")]
    [False, True, True, True]
    >>> [internal(a) for a in ("64:ff9b::808:808", "64:ff9b::a00:1", "64:ff9b:1::808:808")]
    [False, True, True]
    >>> [internal(a) for a in ("2002:808:808::1", "2002:a00:1::1", "::127.0.0.1")]
    [False, True, True]
    """
    if isinstance(address, str):
        address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv4Address):
        return not address.is_global or address.is_multicast
    embedded = _embedded_ipv4(address)
    if embedded is None:
        return True
    if embedded and any(internal(v4) for v4 in embedded):
        return True
    return not address.is_global or address.is_multicast


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 address stands for ([] for none); ``None`` for a form that
    is refused whatever it carries (IPv4-compatible, a local NAT64 prefix)."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)
    if address in _NAT64:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address in _NAT64_LOCAL or address in _IPV4_COMPATIBLE:
        return None
    return []


def url_problem(url: str, *, allow_private: bool = False) -> str | None:
    """Why ``url`` is not a webhook address the server sends to (German), or ``None``.

    Name lookups are not made here (registration must not wait for DNS); the addresses a
    name resolves to are checked with :func:`internal` before each delivery.
    """
    if len(url) > MAX_URL:
        return f"Die Adresse ist {len(url)} Zeichen lang (höchstens {MAX_URL})"
    if any(not ch.isprintable() or ch.isspace() or ch == "\\" for ch in url):
        return "Die Adresse enthält Leerzeichen, Steuerzeichen oder einen Backslash"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"Die Adresse ist keine gültige URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "Webhooks brauchen eine Adresse mit http:// oder https://"
    if "@" in parts.netloc:
        return "Benutzername oder Passwort in der Adresse sind nicht erlaubt (Signatur prüfen)"
    if parts.fragment or url.endswith("#"):
        return "Ein Fragment (#…) gehört nicht in eine Webhook-Adresse"
    if port == 0:
        return "Port 0 ist kein gültiger Port"
    host = parts.hostname or ""
    if not host:
        return "Der Adresse fehlt der Hostname"
    if parts.netloc.startswith("["):
        problem = _literal_problem(host, allow_private)
    else:
        problem = _name_problem(host, allow_private)
    if problem is None and _client_host(url) != _ascii_host(host):
        return "Die Adresse ist mehrdeutig (der HTTP-Client liest einen anderen Host)"
    return problem


def _literal_problem(host: str, allow_private: bool) -> str | None:
    if "%" in host:
        return "IPv6-Adressen mit Zonenangabe (%…) sind nicht erlaubt"
    try:
        address = ipaddress.IPv6Address(host)
    except ValueError:
        return f"[{host}] ist keine IPv6-Adresse"
    return None if allow_private or not internal(address) else _not_public(host)


def _name_problem(host: str, allow_private: bool) -> str | None:
    name = host[:-1] if host.endswith(".") else host
    try:
        ascii_name = _ascii_host(name)
    except UnicodeError:
        ascii_name = None
    if ascii_name is None:
        return _label_problem(name) or f"Hostname {name} ist kein gültiger Name (IDNA)"
    labels = ascii_name.split(".")
    if _ends_in_number(labels):
        try:
            address = ipaddress.IPv4Address(ascii_name)
        except ValueError:
            return (
                f"Hostname {name} ist eine IPv4-Adresse in Sonderschreibweise: "
                "bitte als a.b.c.d angeben"
            )
        return None if allow_private or not internal(address) else _not_public(name)
    problem = _label_problem(ascii_name)
    if problem:
        return problem
    if allow_private:
        return None
    if any(ascii_name == s or ascii_name.endswith("." + s) for s in SPECIAL_USE):
        return _not_public(name)
    if len(labels) < 2:  # resolved through the search domains of the server's own network
        return _not_public(name) + " (Name ohne Punkt)"
    return None


def _label_problem(name: str) -> str | None:
    if len(name) > MAX_HOST:
        return f"Hostname ist {len(name)} Zeichen lang (höchstens {MAX_HOST})"
    for number, label in enumerate(name.split("."), start=1):
        if not label:
            return f"Hostname: Teil {number} ist leer"
        if len(label) > MAX_LABEL:
            return f"Hostname: Teil {number} ist {len(label)} Zeichen lang (höchstens {MAX_LABEL})"
        if label.isascii() and not _LABEL.match(label):
            return (
                f"Hostname: Teil {number} ({label}) enthält andere Zeichen als "
                "Buchstaben, Ziffern und Bindestriche"
            )
    return None


def _ascii_host(host: str) -> str:
    """The host in lower case and, for an internationalised name, its IDNA form."""
    host = host.lower().rstrip(".")
    return host if host.isascii() else host.encode("idna").decode("ascii")


def _ends_in_number(labels: list[str]) -> bool:
    """WHATWG URL: a host whose last label is a number (decimal, or hex with ``0x``) is an
    IPv4 address, in any of the forms ``inet_aton`` accepts."""
    last = labels[-1]
    if last.isdigit():
        return True
    return last[:2] == "0x" and all(c in "0123456789abcdef" for c in last[2:])


def _client_host(url: str) -> str | None:
    """The host as the HTTP client that delivers will read it."""
    try:
        return _ascii_host(httpx.URL(url).host)
    except (httpx.InvalidURL, UnicodeError, ValueError):
        return None


def _not_public(host: str) -> str:
    return f"Ziel {host} ist keine öffentliche Adresse"

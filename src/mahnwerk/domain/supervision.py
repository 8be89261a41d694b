"""The supervisory authority of registered Inkasso service providers (Aufsichtsbehörde).

§ 13h RDG: the Bundesamt für Justiz supervises every registered Inkassodienstleister since
the centralisation; § 13a Abs. 1 Nr. 8 RDG requires its name, address and electronic contact
in the first written contact with a consumer. The contact data are NOT in the project's
reference files (UNVERIFIED: as published on bundesjustizamt.de; check before production).
This is the one place the letters, e-mails and SMS texts take them from.

>>> AUTHORITY_NAME
'Bundesamt für Justiz'
"""

from __future__ import annotations

AUTHORITY_NAME = "Bundesamt für Justiz"
AUTHORITY_STREET = "Adenauerallee 99–103"
AUTHORITY_POSTCODE = "53113"
AUTHORITY_CITY = "Bonn"
AUTHORITY_EMAIL = "poststelle@bfj.bund.de"
AUTHORITY_WEBSITE = "www.bundesjustizamt.de"
AUTHORITY_PHONE = "+49 228 99 410-40"

"""The read models of the public legal pages: the imprint (``/impressum``: § 5 DDG, the
registration under § 10 RDG and the supervisory authority, § 13h RDG) and the full
data-protection notice (``/datenschutz``: Art. 13 and 14 DSGVO), made from the settings.

A piece the operator has not configured is named in ``missing`` (the page shows it), never
replaced by a placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mahnwerk.config import Settings
from mahnwerk.domain import notices
from mahnwerk.domain import supervision as sv


@dataclass(frozen=True)
class Agency:
    name: str
    address: str
    email: str
    phone: str
    website: str
    registration: str
    commercial_register: str
    managing_directors: str
    data_protection_contact: str
    missing: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Authority:
    name: str
    address: str
    email: str
    website: str
    phone: str


@dataclass(frozen=True)
class LegalPage:
    agency: Agency
    authority: Authority
    privacy_url: str
    imprint_url: str
    portal_url: str


def legal_page(settings: Settings) -> LegalPage:
    """What the imprint and the data-protection notice show."""
    agency = Agency(
        name=settings.agency_name,
        address=settings.agency_address,
        email=settings.agency_email,
        phone=settings.agency_phone,
        website=settings.agency_website,
        registration=settings.agency_registration,
        commercial_register=settings.agency_commercial_register,
        managing_directors=settings.agency_managing_directors,
        data_protection_contact=settings.agency_data_protection_contact or settings.agency_email,
        missing=tuple(
            notices.sender_problems(
                name=settings.agency_name,
                address=settings.agency_address,
                registration=settings.agency_registration,
                email=settings.agency_email,
                phone=settings.agency_phone,
            )
        ),
    )
    authority = Authority(
        name=sv.AUTHORITY_NAME,
        address=f"{sv.AUTHORITY_STREET}, {sv.AUTHORITY_POSTCODE} {sv.AUTHORITY_CITY}",
        email=sv.AUTHORITY_EMAIL,
        website=sv.AUTHORITY_WEBSITE,
        phone=sv.AUTHORITY_PHONE,
    )
    return LegalPage(
        agency=agency,
        authority=authority,
        privacy_url=f"{settings.public_url}/datenschutz",
        imprint_url=f"{settings.public_url}/impressum",
        portal_url=f"{settings.public_url}/portal",
    )

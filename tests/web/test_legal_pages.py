"""The public legal pages: ``/impressum`` (registration under § 10 RDG, supervisory authority)
and ``/datenschutz`` (Art. 13/14 DSGVO) answer for everyone, are linked from every footer, the
portal and the registration form, and never show a placeholder for what is not configured."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mahnwerk.asgi import create_asgi_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings

SENDER = dict(
    agency_name="Inkasso Nord GmbH",
    agency_address="Ballindamm 17, 20095 Hamburg",
    agency_email="service@inkasso-nord.example",
    agency_phone="040 123456-0",
    agency_registration="Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
    agency_managing_directors="Jens Albers",
    agency_commercial_register="Amtsgericht Hamburg HRB 123456",
)


def client_for(db_url, engine, sessions, tmp_path, **sender):
    settings = Settings(
        database_url=db_url, var_dir=tmp_path / "var", secret_key="test-secret", **sender
    )
    return TestClient(create_asgi_app(Runtime(settings=settings, engine=engine, sessions=sessions)))


@pytest.fixture
def client(db_url, engine, sessions, tmp_path):
    with client_for(db_url, engine, sessions, tmp_path, **SENDER) as c:
        yield c


def test_the_imprint_names_the_agency_its_registration_and_the_supervisory_authority(client):
    page = client.get("/impressum")
    assert page.status_code == 200
    for item in [
        "Inkasso Nord GmbH",
        "Ballindamm 17, 20095 Hamburg",
        "040 123456-0",
        "service@inkasso-nord.example",
        "Jens Albers",
        "Amtsgericht Hamburg HRB 123456",
        "§ 10 Abs. 1 Satz 1 Nr. 1 RDG",
        "Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
        "Bundesamt für Justiz",
        "Adenauerallee 99–103, 53113 Bonn",
        "poststelle@bfj.bund.de",
    ]:
        assert item in page.text, item
    assert "nicht vollständig" not in page.text
    english = client.get("/impressum?lang=en")
    assert "Imprint" in english.text and "Supervisory authority" in english.text


def test_the_privacy_notice_answers_the_questions_of_article_14(client):
    page = client.get("/datenschutz")
    assert page.status_code == 200
    for item in [
        "Verantwortlicher",
        "Inkasso Nord GmbH",
        "Woher die Daten stammen",
        "Von unserem Auftraggeber",
        "Art. 6 Abs. 1 Buchst. b DSGVO",
        "Zahlungsprognose (Scoring)",
        "trifft immer ein Mensch",
        "Auskunfteien nur unter den Voraussetzungen des § 31 Abs. 2 BDSG",
        "Speicherdauer",
        "Widerspruch",
        "Art. 77 DSGVO",
    ]:
        assert item in page.text, item


@pytest.mark.parametrize(
    "path", ["/", "/login", "/portal", "/register", "/impressum", "/datenschutz", "/gibt-es-nicht"]
)
def test_every_page_footer_links_both(client, path):
    page = client.get(path)
    footer = page.text.split('<footer role="contentinfo"', 1)[1]
    assert 'href="/impressum"' in footer and 'href="/datenschutz"' in footer


def test_the_portal_login_and_the_registration_form_link_them_in_their_text(client):
    for path in ("/portal", "/register"):
        main = client.get(path).text.split("<main", 1)[1].split("</main>", 1)[0]
        assert 'href="/datenschutz"' in main and 'href="/impressum"' in main, path


def test_without_a_configured_sender_the_pages_say_what_is_missing_and_print_no_placeholder(
    db_url, engine, sessions, tmp_path
):
    with client_for(db_url, engine, sessions, tmp_path) as c:
        page = c.get("/impressum")
    assert page.status_code == 200
    assert "noch nicht vollständig eingerichtet" in page.text
    assert "MAHNWERK_AGENCY_ADDRESS" in page.text and "MAHNWERK_AGENCY_REGISTRATION" in page.text
    assert "Musterstraße" not in page.text and "mahnwerk Inkasso" not in page.text

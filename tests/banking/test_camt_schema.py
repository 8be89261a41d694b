"""Every generated statement is valid against the official ISO 20022 XSD (shipped in the
package), and the reader validates against it by default."""

from decimal import Decimal

import pytest
from lxml import etree

from mahnwerk.banking.camt import PACKAGED_SCHEMAS, parse_camt, schema_errors, schema_path
from mahnwerk.banking.generator import generate, to_camt053
from mahnwerk.banking.statement import StatementError


@pytest.fixture(scope="module")
def gen():
    return generate(300, 250, seed=5)


@pytest.mark.parametrize("version", ["02", "08"])
@pytest.mark.parametrize("batch_size", [1, 4])
def test_generated_files_validate_against_the_official_xsd(gen, version, batch_size):
    xml = to_camt053(gen.entries, version=version, batch_size=batch_size)
    xsd = schema_path(f"camt.053.001.{version}", PACKAGED_SCHEMAS)
    assert xsd is not None
    assert schema_errors(xml, xsd) == []
    [statement] = parse_camt(xml)  # validates by default
    assert len(statement.entries) == len(gen.entries)


def test_every_scenario_of_many_seeds_validates():
    for seed in (1, 2, 3):
        g = generate(120, 150, seed=seed)
        for version in ("02", "08"):
            xml = to_camt053(g.entries, version=version, batch_size=3)
            xsd = schema_path(f"camt.053.001.{version}", PACKAGED_SCHEMAS)
            assert xsd is not None and schema_errors(xml, xsd) == []


@pytest.mark.parametrize("version", ["02", "08"])
def test_schema_violation_names_line_and_element(gen, version):
    xml = to_camt053(gen.entries[:5], version=version)
    root = etree.fromstring(xml)
    ns = {"c": root.nsmap[None]}
    # drop the bank transaction code of the second entry: BkTxCd is mandatory in Ntry
    ntry = root.findall("c:BkToCstmrStmt/c:Stmt/c:Ntry", ns)[1]
    ntry.remove(ntry.find("c:BkTxCd", ns))
    broken = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    with pytest.raises(StatementError) as err:
        parse_camt(broken, source="auszug.xml")
    e = err.value
    assert "Schemaverletzung" in e.message and "BkTxCd" in e.message
    assert e.where == "/Document/BkToCstmrStmt/Stmt/Ntry[2]"
    assert e.line is not None and e.line > 1
    assert "auszug.xml" in str(e) and f"Zeile {e.line}" in str(e)
    # without the XSD check the reader itself does not need BkTxCd
    [st] = parse_camt(broken, validate=False)
    assert len(st.entries) == 5


def test_unknown_version_without_packaged_xsd_is_read_structurally(gen):
    xml = to_camt053(gen.entries[:3], version="08").replace(b"camt.053.001.08", b"camt.053.001.04")
    [st] = parse_camt(xml)
    assert st.source_format == "camt.053.001.04" and len(st.entries) == 3


def test_amount_with_comma_is_a_schema_violation():
    xml = to_camt053(generate(20, 3, seed=2).entries, version="02")
    text = xml.decode()
    first = text.index('<Amt Ccy="EUR">', text.index("<Ntry>")) + len('<Amt Ccy="EUR">')
    end = text.index("<", first)
    broken = text[:first] + text[first:end].replace(".", ",") + text[end:]
    with pytest.raises(StatementError) as err:
        parse_camt(broken.encode())
    assert err.value.line is not None and "Amt" in (err.value.where or "")
    assert Decimal("0") == Decimal("0")

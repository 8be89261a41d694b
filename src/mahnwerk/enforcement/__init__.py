"""Enforcement (Zwangsvollstreckung): the official ZVFV forms and insolvency notice files.

One module per form or file format, each with the same small API (``problems`` listing every
problem at once, ``form``/``documents`` building the form's content in the official order,
``render`` to PDF through :mod:`mahnwerk.documents.forms`):

- :mod:`.values`: the plain values the forms are filled from (parties, title, case);
- :mod:`.gv_auftrag`: Vollstreckungsauftrag an Gerichtsvollzieher (Anlage 1 with Anlage 6);
- :mod:`.pfueb`: Antrag auf Erlass eines PfÜB (Anlage 4, draft Anlage 5, Anlage 7);
- :mod:`.forderungsaufstellung`: the Forderungsaufstellung (Anlagen 6 and 7) from the ledger;
- :mod:`.insolvency`: insolvency notices (CSV, JSON) and their matching against debtors;
- :mod:`.claim_filing`: the Forderungsanmeldung zur Insolvenztabelle (§ 174 InsO).

Nothing here reads the store or the clock; ``services.enforcement`` does.
"""

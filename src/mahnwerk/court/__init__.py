"""The Mahngericht's EDA format (Elektronischer Datenaustausch im automatisierten
Mahnverfahren): one module per record kind with the same small API (``render`` / ``parse`` /
``validate`` over :class:`~mahnwerk.court.fields.Layout`), the application values, a writer for
applications out, a reader for replies in (both framings), and the court directory and
catalogue. Pure apart from bytes: no store, no clock.

- :mod:`.fields`: fixed-width fields and layouts; :mod:`.aa`, :mod:`.bb`: file header and
  trailer (counts and checksums);
- :mod:`.satzart_01` (Mahnbescheid), :mod:`.satzart_08` (Vollstreckungsbescheid): applications;
- :mod:`.satzart_03`, :mod:`.satzart_05`, :mod:`.satzart_16`, :mod:`.satzart_18`,
  :mod:`.satzart_20`, :mod:`.satzart_22`, :mod:`.satzart_90`: the court's messages;
- :mod:`.application`: what an application says, its checks and its JSON form;
- :mod:`.writer`, :mod:`.reader`; :mod:`.directory`, :mod:`.catalogue`.

Source of every position: ``shared/reference/court-and-enforcement.md`` 1.2–1.6 (with its
list of pyeda-mahn's errors, 1.9, none of which is copied).
"""

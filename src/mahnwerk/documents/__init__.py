"""Letters and statements: templates to PDF.

- :mod:`.letters`: the letter's input (:class:`~.letters.LetterData`), validation against
  § 13a RDG, and the data handed to the templates;
- :mod:`.render`: typst rendering to PDF/A-2a in DIN 5008 form B (templates in ``templates/``);
- :mod:`.bundle`: batches for a print-and-mail service (PDFs plus CSV/JSON manifest);
- :mod:`.examples`: deterministic example letters for tests, benchmarks and previews.
"""

"""The portal assistant's language side: what a debtor's message means.

- :mod:`.intents`: the sixteen intents and which of them go to a person;
- :mod:`.text`: the normalisation every message gets (case, umlauts, digits, repeats);
- :mod:`.rules`: keyword rules for what must never be missed (death, insolvency, hardship,
  complaints), applied before and over the model;
- :mod:`.entities`: amounts, dates, a number of months, an address, contact wishes;
- :mod:`.corpus`: the corpus the project writes (templates → train and held-out test);
- :mod:`.model`: the offline intent model (TF-IDF character and word n-grams, logistic
  regression), trained deterministically from the corpus;
- :mod:`.understand`: all of it together: one message → intent, confidence, entities.

Nothing here touches the store or the network; the use cases live in
:mod:`mahnwerk.services.assistant`.
"""

"""Use cases of the court dunning procedure: prepare and approve applications, export them as
EDA files, import the court's replies, and record titles.

- :mod:`.titles`: titles of a case (``record_title``), enforcement acts against them;
- :mod:`.facts`: what the daily run needs to know (titles, suspensions, running procedures);
- :mod:`.prepare`: the Mahnbescheid / Vollstreckungsbescheid application of a case and its
  approval (four-eyes);
- :mod:`.export`: approved applications into one EDA file in the outbox;
- :mod:`.replies`: the court's messages in, matched and applied;
- :mod:`.tick`: what time alone moves (VB due, § 701 lapse).
"""

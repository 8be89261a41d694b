"""Rights of the people whose data mahnwerk holds (GDPR): the export of everything stored
about a person (Art. 15 and 20, :mod:`.export`) and retention and erasure (Art. 17 and 18,
:mod:`.retention`)."""

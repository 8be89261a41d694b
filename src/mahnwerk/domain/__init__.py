"""The pure domain core: money, the claim ledger, interest, allocation, fees, limitation and
garnishment. No I/O, no clock, no database; it imports only the standard library and
:mod:`mahnwerk.reference`."""

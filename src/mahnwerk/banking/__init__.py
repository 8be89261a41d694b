"""Bank statements, payment matching, SEPA files, IBAN checks, EPC QR."""

"""Money in and out: bank statements and matching, the review queue, SEPA direct debits, payouts."""

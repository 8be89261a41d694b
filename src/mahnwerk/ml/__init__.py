"""Features, scores with reasons, segments, fairness audit, debtor simulator."""

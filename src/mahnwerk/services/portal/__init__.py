"""The debtor portal: access codes, the overview, payments, plans, disputes and uploads."""

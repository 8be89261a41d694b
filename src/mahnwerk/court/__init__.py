"""Court dunning (EDA files), enforcement forms, title monitoring."""

"""Use cases: plain functions taking what they need, one transaction each."""

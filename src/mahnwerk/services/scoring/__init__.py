"""Scores with reasons, the model data read from the store, and the debtor simulator's store
writer.
"""

"""The dunning run (Mahnlauf): planning, composing and delivering the day's steps; strategies;
letters.
"""

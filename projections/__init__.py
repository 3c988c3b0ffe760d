"""Projectors: the event log into read models (samples, rollups, summaries, fitness).

Each projector writes its rows and its position in the log in one transaction, so every
event is applied exactly once; see docs/projections.md.
"""

"""Figures. Built on matplotlib's object API (no pyplot): no global state, no GUI backend."""

"""Data shipped with AlliedForge: the built-in demo scenario."""

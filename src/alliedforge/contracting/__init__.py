"""Contracting as the outside world reads it: pure exports of contracting processes (OCDS)."""

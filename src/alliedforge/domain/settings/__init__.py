"""Scenario settings: the manifest of the scenario the shared record holds."""

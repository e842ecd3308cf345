"""AlliedForge: defence production coordination for an alliance."""

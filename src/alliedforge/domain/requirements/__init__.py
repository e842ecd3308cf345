"""Requirements: what nations need, their fleets, budgets, stockpiles and commitments."""

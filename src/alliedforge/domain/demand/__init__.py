"""Demand beyond requirements: budgets, stockpiles, fleets and commitments (their ORM
models live with requirements)."""

"""Industry: the supplier register, production lines, price tiers and component supply."""

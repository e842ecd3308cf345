"""Joint procurement: lots from a plan, tenders and bids, framework contracts and call-offs."""

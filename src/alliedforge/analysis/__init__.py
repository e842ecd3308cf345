"""Pure analyses of a scenario and its plans: capacity, KPIs, figures, the HTML report."""

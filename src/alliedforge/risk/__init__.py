"""Monte Carlo of disruptions: draw samples of a `RiskModel`, plan each, and summarise."""

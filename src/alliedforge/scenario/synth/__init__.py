"""Building blocks of `alliedforge.scenario.generate`: reference data and table drawers."""

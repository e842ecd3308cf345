"""What-ifs of the live record and the analysis runs (what-if, risk, interoperability)."""

"""What-ifs: a base scenario plus typed changes, planned and compared side by side."""

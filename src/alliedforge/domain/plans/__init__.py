"""Plan runs: every plan the record produced, its lineage, tables and planned scenario."""

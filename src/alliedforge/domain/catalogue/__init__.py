"""The catalogue: weapon systems, items, qualifications, components and bills of materials."""

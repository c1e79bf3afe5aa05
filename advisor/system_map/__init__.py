"""A system seen whole: its map, chain analysis, review queue and risk register."""

"""Making papers findable: query parsing, the keyword index and its sync."""

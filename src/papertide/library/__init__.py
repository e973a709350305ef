"""Each person's library: saved papers with optional tags."""

"""Background work shared by any number of ``papertide worker`` processes through the database."""

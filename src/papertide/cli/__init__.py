"""The ``papertide`` command line."""

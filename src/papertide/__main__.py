"""Allow ``python -m papertide``."""

from papertide.cli.main import main

if __name__ == "__main__":
    main()

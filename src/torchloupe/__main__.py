"""``python -m torchloupe`` works like the ``torchloupe`` command."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())

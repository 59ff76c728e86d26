"""`python -m scrivio_tui`."""

from scrivio_tui.cli import main

raise SystemExit(main())

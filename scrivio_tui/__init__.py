"""scrivio-tui: onboarding of new clients at a Dutch GGZ practice, from the terminal."""

__version__ = "0.1.0"

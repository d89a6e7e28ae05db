"""dieuhanh: carry directives of Vietnamese People's Committees through to the end."""

__version__ = "0.1.0"

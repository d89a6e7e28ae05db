"""Plain helpers with no Django dependency (Vietnamese text, calendars)."""

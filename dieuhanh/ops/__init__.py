"""Operations: backup, restore and health checks (Django is set up by the caller)."""


class Refused(Exception):
    """An operation refused for a reason the operator can fix; the message is in Vietnamese."""

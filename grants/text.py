"""Free text from people, as the system stores it."""


def clean_text(value: str | None) -> str:
    """Free text as stored: NUL characters removed (PostgreSQL text cannot hold them),
    surrounding space trimmed."""
    return (value or "").replace("\x00", "").strip()

"""File sizes written for people: « 20 Mo » in French, "20 MB" in English, in 1024-byte steps."""
from __future__ import annotations

from babel.numbers import format_decimal

from services.common.errors import LocalizedText, text

UNITS = {"fr": ("o", "Ko", "Mo", "Go"), "en": ("B", "KB", "MB", "GB")}


def format_size(size: int, language: str = "fr") -> str:
    """Format a byte count in the largest unit below it, with at most one decimal: « 1,5 Mo », "1.5 MB"."""
    units = UNITS["fr"] if language == "fr" else UNITS["en"]
    value = float(size)
    unit = 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    number = format_decimal(value, format="#,##0" if unit == 0 else "#,##0.#", locale=language)
    return f"{number}\u00a0{units[unit]}"


def size_text(size: int) -> LocalizedText:
    """Return `size` formatted in French and in English, for a message that the caller's language picks from."""
    return text(format_size(size, "fr"), format_size(size, "en"))

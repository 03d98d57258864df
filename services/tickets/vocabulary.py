"""Choices of the ticket form (« Nature de demande », « Gravité ») with their French and English labels."""
from __future__ import annotations

import enum

from services.common.errors import LocalizedText, text


class RequestNature(str, enum.Enum):
    INCIDENT = "incident"
    ASSISTANCE = "assistance"
    EVOLUTION = "evolution"
    INFORMATION = "information"


class Severity(str, enum.Enum):
    BLOCKING = "blocking"
    MAJOR = "major"
    MINOR = "minor"


NATURE_LABELS: dict[RequestNature, LocalizedText] = {
    RequestNature.INCIDENT: text("Incident", "Incident"),
    RequestNature.ASSISTANCE: text("Demande d'assistance", "Assistance request"),
    RequestNature.EVOLUTION: text("Demande d'évolution", "Change request"),
    RequestNature.INFORMATION: text("Demande d'information", "Information request"),
}

SEVERITY_LABELS: dict[Severity, LocalizedText] = {
    Severity.BLOCKING: text("Bloquante", "Blocking"),
    Severity.MAJOR: text("Majeure", "Major"),
    Severity.MINOR: text("Mineure", "Minor"),
}

# Sort rank of each severity, most urgent first.
SEVERITY_RANK: dict[Severity, int] = {Severity.BLOCKING: 0, Severity.MAJOR: 1, Severity.MINOR: 2}

"""The answer of a feedback CSV import (docs/feedback.md)."""

from __future__ import annotations

from pydantic import BaseModel, Field

FEEDBACK_CSV_COLUMNS = (
    "relation",
    "member",
    "met",
    "usefulness",
    "themes_learned",
    "continued",
    "comment",
)
"""The columns of a feedback CSV, in the order the example file uses."""
FEEDBACK_CSV_REQUIRED = ("relation", "member", "met", "usefulness")


class FeedbackImportReport(BaseModel):
    answers: int = Field(description="the rows of the file: one answer each")
    created: int = Field(description="answers new to the database")
    updated: int = Field(description="the importing key's earlier answer for that side, replaced")
    unchanged: int = Field(description="already stored exactly so")

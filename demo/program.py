"""Reference data for the demonstration program, shipped in `demo/data/`: the 61 task
forces with their states and lead agencies, and the program's published funding by
fiscal year."""

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils.text import slugify

DATA = Path(__file__).resolve().parent / "data"

_NOISE = re.compile(
    r"\(.*?\)|internet crimes against children|\bicac\b|task force|division of criminal investigation",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TaskForceRow:
    state: str
    name: str
    lead_agency: str
    source_url: str
    note: str

    @property
    def code(self) -> str:
        # "Internet Crimes Against Children Task Force (Arkansas)" has nothing left but
        # its parenthesis, so fall back to that.
        short = slugify(_NOISE.sub(" ", self.name)) or slugify(
            re.sub(r"[^(]*\(|\).*", "", self.name)
        )
        return f"{self.state.lower()}-{short}"[:40].strip("-")


@dataclass(frozen=True)
class FundingRow:
    fiscal_year: int
    amount: Decimal
    what_it_is: str
    status: str
    source: str


def task_force_rows() -> list[TaskForceRow]:
    with open(DATA / "task_forces.csv", newline="", encoding="utf-8") as f:
        return [
            TaskForceRow(
                state=row["state"].strip(),
                name=row["task_force_name"].strip(),
                lead_agency=" ".join(row["lead_agency"].split()),
                source_url=row["source_url"].strip(),
                note=row["note"].strip(),
            )
            for row in csv.DictReader(f)
        ]


def funding_rows() -> list[FundingRow]:
    with open(DATA / "program_funding.csv", newline="", encoding="utf-8") as f:
        return [
            FundingRow(
                fiscal_year=int(row["fiscal_year"]),
                amount=Decimal(row["amount_usd"]),
                what_it_is=row["what_it_is"],
                status=row["status"],
                source=row["source"],
            )
            for row in csv.DictReader(f)
        ]

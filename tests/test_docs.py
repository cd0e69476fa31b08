"""The docs/ pages the code cites exist, with the headings it cites.

Code, templates and docs cite a page as `docs/<path>.md#<anchor>`, where the anchor is
GitHub's slug of a heading. Renaming a heading or moving a page must not leave citations
pointing nowhere, and the rules must live in the repository, not in files beside it.
"""

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {
    ".git",
    ".venv",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    "node_modules",
    "staticfiles",
    "tmp",
}
MAX_BYTES = 2_000_000

# A citation from anywhere in the tree: docs/rules/cash-and-ledger.md#liquidation.
CITATION = re.compile(r"(?<![\w/.-])(docs/[\w./-]+?\.md)(?:#([\w-]+))?")
# A relative link inside a Markdown page: [text](../architecture.md#ledger-invariants).
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
# Reference material that lives outside the repository; written so this file does not
# match itself.
OUTSIDE = re.compile(r"\b(?:domain|design)\.md\b|\.\./shared\b|\bdomain reference\b")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def text_files() -> list[tuple[Path, str]]:
    found = []
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if any(part in SKIP_DIRS for part in relative.parts) or not path.is_file():
            continue
        if path.stat().st_size > MAX_BYTES:
            continue
        try:
            found.append((relative, path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue  # images, fonts and other binary files
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation other than hyphens and
    underscores dropped, each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors(page: Path) -> frozenset[str]:
    """Every heading anchor of a Markdown page, with GitHub's -1, -2 for repeats."""
    seen: dict[str, int] = {}
    result = set()
    in_fence = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else HEADING.match(line)
        if match:
            base = slug(match[2])
            count = seen.get(base, 0)
            seen[base] = count + 1
            result.add(base if count == 0 else f"{base}-{count}")
    return frozenset(result)


def problem(target: Path, anchor: str | None) -> str | None:
    if not target.exists():
        return "no such file"
    if anchor and target.suffix == ".md" and anchor not in anchors(target):
        return f"no heading with anchor #{anchor}"
    return None


def is_ours(relative: Path) -> bool:
    """The project's own Markdown (not vendored files such as static/'s licences)."""
    return relative.parts[0] == "docs" or len(relative.parts) == 1


def citations() -> list[tuple[str, Path, str | None]]:
    """(where, page, anchor) for every citation in the tree and every relative link in a
    Markdown page."""
    found = []
    for relative, text in text_files():
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{relative}:{number}"
            for match in CITATION.finditer(line):
                found.append((where, ROOT / match[1], match[2]))
            if relative.suffix != ".md" or not is_ours(relative):
                continue
            for match in MARKDOWN_LINK.finditer(line):
                target = match[1]
                if re.match(r"^[a-z]+:", target):
                    continue  # https:, mailto:
                path, _, anchor = target.partition("#")
                page = (ROOT / relative).parent / path if path else ROOT / relative
                found.append((where, page.resolve(), anchor or None))
    return found


def test_the_rules_are_in_the_repository():
    assert (ROOT / "docs" / "README.md").exists()
    assert (ROOT / "docs" / "architecture.md").exists()
    assert len(list((ROOT / "docs" / "rules").glob("*.md"))) >= 8


def test_every_cited_page_and_heading_exists():
    cited = citations()
    assert len(cited) > 50, "the citation search found too little; is the pattern broken?"
    broken = [
        f"{where}: {page.relative_to(ROOT)}{'#' + anchor if anchor else ''}: {why}"
        for where, page, anchor in cited
        if (why := problem(page, anchor))
    ]
    assert broken == []


def test_nothing_cites_reference_files_outside_the_repository():
    found = [
        f"{relative}:{number}: {line.strip()}"
        for relative, text in text_files()
        for number, line in enumerate(text.splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert found == []


@pytest.mark.parametrize(
    "heading, anchor",
    [
        ("Liquidation", "liquidation"),
        ("Set-asides and what is left to award", "set-asides-and-what-is-left-to-award"),
        ("SF-425 for a quarter", "sf-425-for-a-quarter"),
        ("The `check_ledgers` command", "the-check_ledgers-command"),
        ("Budget transfers: the 10% rule", "budget-transfers-the-10-rule"),
    ],
)
def test_anchors_are_githubs(heading, anchor):
    assert slug(heading) == anchor

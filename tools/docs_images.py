"""Redraw the pictures docs/graph.md shows (docs/images/*.png), from the shipped examples.

    python tools/docs_images.py            # redraw every picture
    python tools/docs_images.py --check    # exit 1 if one differs from what is drawn now

Each picture is the first page of ``taxonomy graph``'s PNG (which stacks its A4 pages one under
another), drawn with the ``taxonomy`` found beside the running Python (the project's ``.venv``),
so the docs show what the tool draws.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
#: An A4 page of the PNG, in pixels (portrait: 779 wide; landscape: 1156 wide).
A4_PX = (779, 1156)

#: picture file -> the ``taxonomy graph`` arguments that draw it (relative to the repository).
PICTURES: dict[str, list[str]] = {
    "nhs_to_be.png": ["examples/nhs_joint_working_2018.yaml"],
    "nhs_as_is.png": ["examples/nhs_joint_working_2018.yaml", "--as-is"],
    "nw_london_to_be.png": ["examples/nw_london_ccgs_2018.yaml"],
    "nw_london_2022.png": ["examples/nw_london_ccgs_2018.yaml", "--as-of", "2022-08-01"],
    "three_councils_to_be.png": [
        "examples/three_councils_shared_services.yaml",
        "--rules",
        "examples/packs/councils",
    ],
}


def draw(name: str, folder: Path) -> Path:
    """Draw picture ``name`` into ``folder`` and return its path."""
    taxonomy = Path(sys.executable).with_name("taxonomy")
    out = folder / name
    subprocess.run(
        [str(taxonomy), "graph", *PICTURES[name], "-o", str(out), "--force"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with Image.open(out) as drawn:
        width = drawn.width
        first = drawn.crop((0, 0, width, sum(A4_PX) - width))
        kept = io.BytesIO()
        first.save(kept, format="PNG")
    out.write_bytes(kept.getvalue())
    return out


def main(argv: list[str]) -> int:
    """Redraw every picture, or with ``--check`` report those that differ (exit 1)."""
    if "--check" not in argv:
        for name in PICTURES:
            print(draw(name, IMAGES).relative_to(ROOT))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        stale = [
            name
            for name in PICTURES
            if draw(name, Path(scratch)).read_bytes() != (IMAGES / name).read_bytes()
        ]
    for name in stale:
        print(f"docs/images/{name} differs from what taxonomy draws now", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

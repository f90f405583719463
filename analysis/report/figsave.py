"""Saving figures so that their bytes follow the data alone."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# No date or software version in the PNG metadata: the same data give the same bytes.
PNG_META = {"Software": None}


def save_png(fig, out_dir: Path, stem: str) -> list[Path]:
    """Write ``fig`` as ``out_dir/stem.png`` (150 dpi), close it, return ``[path]``.

    PNG only: every output format embeds the PNG, and an SVG nobody reads costs as much
    time again.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{stem}.png"
    fig.savefig(path, dpi=150, metadata=PNG_META)
    plt.close(fig)
    return [path]

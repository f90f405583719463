"""A kernel kept warm between documents (``dupitac render`` of several documents).

The second document must see a clean namespace (nothing the first defined), give the
same bytes as in a fresh kernel, and no kernel may outlive :func:`shutdown_warm`.
"""

from __future__ import annotations

import os
import subprocess

from analysis.render import notebook
from analysis.render.builtin import render

FIRST = """---
title: first
execute:
  echo: false
---

```{python}
leak = "from the first document"
import math
```

First: `{python} leak`.
"""

SECOND = """---
title: second
execute:
  echo: false
---

```{python}
#| output: asis
print("leaked" if "leak" in globals() or "math" in globals() else "clean namespace")
```
"""


def _kernels() -> int:
    out = subprocess.run(["ps", "-eo", "ppid,args"], capture_output=True, text=True).stdout
    return sum(1 for ln in out.splitlines()
               if "ipykernel_launcher" in ln and ln.split()[0] == str(os.getpid()))


def test_warm_kernel_is_clean_and_gives_the_same_bytes(tmp_path):
    (tmp_path / "first.qmd").write_text(FIRST)
    (tmp_path / "second.qmd").write_text(SECOND)
    try:
        render(tmp_path / "first.qmd", tmp_path / "warm", ["html"], reuse_kernel=True)
        assert _kernels() == 1                      # kept for the next document
        warm = render(tmp_path / "second.qmd", tmp_path / "warm", ["html"],
                      reuse_kernel=True)[0].read_bytes()
        assert _kernels() == 1                      # the same kernel, not a second one
    finally:
        notebook.shutdown_warm()
    assert _kernels() == 0
    assert b"clean namespace" in warm and b"leaked" not in warm
    fresh = render(tmp_path / "second.qmd", tmp_path / "fresh", ["html"])[0].read_bytes()
    assert fresh == warm
    assert _kernels() == 0                          # a render without reuse keeps none

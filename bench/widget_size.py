"""The widget's weight as a portal page pays for it: `/widget.js` as served (readable source),
minified by rjsmin, and each gzipped at level 9 (issue 7's goal: <= 30 KB minified and gzipped).

    python -m bench.widget_size
"""

from __future__ import annotations

import gzip
import json
from importlib import resources

import rjsmin

from bench.common import OUT


def main() -> None:
    source = resources.files("query_api").joinpath("static/widget.js").read_bytes()
    minified = rjsmin.jsmin(source)
    result = {
        "source_bytes": len(source), "source_gzip_bytes": len(gzip.compress(source, 9)),
        "minified_bytes": len(minified), "minified_gzip_bytes": len(gzip.compress(minified, 9)),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "widget_size.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Copy the npm-installed front-end assets where the app serves them (dora/static/vendor).

The versions are pinned by package-lock.json; nothing is ever loaded from a CDN.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "dora" / "static" / "vendor"

# package directory -> folder under node_modules/<package> copied as vendor/<name>
ASSETS = {
    "leaflet": ("leaflet/dist", ["leaflet.js", "leaflet.css", "images"]),
    "leaflet.markercluster": (
        "leaflet.markercluster/dist",
        ["leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"],
    ),
    "jquery": ("jquery/dist", ["jquery.min.js"]),
}


def main() -> int:
    for name, (source, files) in ASSETS.items():
        source_dir = NODE_MODULES / source
        if not source_dir.is_dir():
            print(f"vendor_assets: {source_dir} is missing: run `npm ci`", file=sys.stderr)
            return 1
        target = VENDOR / name
        target.mkdir(parents=True, exist_ok=True)
        for entry in files:
            src = source_dir / entry
            if src.is_dir():
                shutil.copytree(src, target / entry, dirs_exist_ok=True)
            else:
                shutil.copy2(src, target / entry)
    return 0


if __name__ == "__main__":
    sys.exit(main())

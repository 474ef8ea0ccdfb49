"""Check the default circuity against highway mileage between 128 North American cities (1949).

The Stanford GraphBase file ``miles.dat`` (Knuth, 1993) holds Rand McNally road mileage
of 1949 between 128 cities of the United States and Canada.  networkx ships a copy as
``examples/drawing/knuth_miles.txt.gz`` in its source distribution (LGPL, so it is not
copied into this repository).  Get it once with

    pip download networkx==3.4.2 --no-binary :all: --no-deps
    tar xzf networkx-3.4.2.tar.gz networkx-3.4.2/examples/drawing/knuth_miles.txt.gz

then run ``python data/calibrate_circuity.py networkx-3.4.2/examples/drawing/knuth_miles.txt.gz``.
It prints the median ratio of road miles to great-circle miles over the US city pairs
(1.217 over 7,626 pairs; 1.215 for pairs under 200 miles), which ``coverage/defaults.py``
quotes next to the default circuity of 1.2.
"""

import gzip
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.geo import haversine_miles  # noqa: E402

CANADA = {"AB", "BC", "MB", "NB", "NS", "ON", "QC", "SK"}


def read_miles(path: str) -> tuple[list[tuple[str, str, float, float]], dict[tuple[int, int], int]]:
    """Cities (name, state, lat, lon) and road miles between pairs of city indices."""
    cities, miles = [], {}
    pending: list[int] = []
    with gzip.open(path, "rt") as handle:
        for line in handle:
            if line.startswith("*"):
                continue
            city = re.match(r"^(.+), (\w\w)\[(\d+),(\d+)\]\d+$", line.strip())
            if city:
                cities.append((city.group(1), city.group(2), int(city.group(3)) / 100, -int(city.group(4)) / 100))
                pending = []
            else:
                pending += [int(x) for x in line.split()]
                i = len(cities) - 1
                for k, distance in enumerate(pending):  # distances to the previous cities, nearest index first
                    miles[(i, i - 1 - k)] = distance
    return cities, miles


def main(path: str) -> None:
    cities, miles = read_miles(path)
    ratios, straight = [], []
    for (i, j), road in miles.items():
        a, b = cities[i], cities[j]
        if a[1] in CANADA or b[1] in CANADA:
            continue
        great_circle = float(haversine_miles(a[2], a[3], b[2], b[3]))
        if great_circle > 0:
            ratios.append(road / great_circle)
            straight.append(great_circle)
    ratios, straight = np.array(ratios), np.array(straight)
    print(f"{len(cities)} cities, {len(ratios):,} US city pairs")
    print(f"median road / great-circle miles: {np.median(ratios):.3f} (mean {ratios.mean():.3f})")
    short = straight < 200
    print(f"pairs under 200 miles: {short.sum():,}, median {np.median(ratios[short]):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])

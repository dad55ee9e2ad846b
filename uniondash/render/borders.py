"""Borders as lines: polygons' boundaries merged into one network, each stretch once, for a
basemap that draws them (uniondash.render.maps.outlines). Pure: GeoJSON text in, GeoJSON text out."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely


@lru_cache(maxsize=16)
def border_lines(geojson: tuple[str, ...], under: tuple[str, ...]) -> tuple[str, ...]:
    """The polygons' (GeoJSON) borders as GeoJSON lines, each stretch once; without the stretches
    that lie on the borders of the polygons `under`."""
    if not geojson:
        return ()
    stretches = _border_network(geojson)
    if under:  # a stretch lying on a larger unit's border (within ~0.1 m) is drawn by that border
        covered = shapely.buffer(shapely.union_all(_border_network(under)), 1e-6)
        stretches = stretches[~shapely.covered_by(stretches, covered)]
    stretches = shapely.transform(stretches, lambda xy: np.round(xy, 5))  # ~1 m, as the shapes are stored
    return tuple(shapely.to_geojson(stretches))


def _border_network(geojson: tuple[str, ...]) -> np.ndarray:
    """The polygons' boundaries joined into one network (shared stretches merged), as lines from
    junction to junction. A shape that cannot be read is left out, as MapLibre leaves out such a
    feature (at import it is the shapes check's finding)."""
    boundaries = shapely.boundary(shapely.from_geojson(list(geojson), on_invalid="ignore"))
    return shapely.get_parts(shapely.line_merge(shapely.union_all(boundaries)))

"""Pure geographic functions for the county risk one-map (no UI imports).

Modules: :mod:`geo.errors` (error hierarchy), :mod:`geo.crs` (CGCS2000, Gauss-Krüger, GCJ-02),
:mod:`geo.dms` (degree-minute-second parsing), :mod:`geo.io` (vector reading),
:mod:`geo.validate` (collect-all validation), :mod:`geo.gpkg` (atomic GeoPackage writes),
:mod:`geo.placement` (seeded synthetic placement, Voronoi cells).
"""

"""`archlint discover`: find AI usage in the code and reconcile it with the feature files.

Stages, each its own module: `catalogue` (the detection data), `sources` (which files, under the
same rules as check's discovery), `python` and `javascript` (the scanners), `scan` (prefilter,
parallel scanning and the cache in `cache`), `coverage` (which feature covers which file),
`reconcile` (the DSC findings), `bom` (a CycloneDX AI-BOM in) and `inventory` (the output formats).
Nothing here is imported by `archlint check` unless `--discover` asks for it.
"""

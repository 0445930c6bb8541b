"""`archlint check --format cyclonedx`: the checked features as a CycloneDX 1.6 AI-BOM.

The same BOM as `archlint report --format cyclonedx` (archlint.portfolio.cyclonedx): the
feature files are read again for what a BOM lists (approach, base model, corpus), and the
decision is taken with the policies' default params.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..report import Report


def report(report: Report, stream: TextIO) -> None:
    from ..paths import project_root
    from ..portfolio import collect, cyclonedx
    from ..settings import Settings, run_day

    catalog = report.catalog
    params = {name: param.default for name, param in catalog.params.items()} if catalog is not None else {}
    root = project_root(os.getcwd())
    features = collect.features_of(report.files, catalog, params, root, os.path.basename(root))
    data = collect.portfolio(features, collect.rule_records(catalog), run_day(Settings()), [])
    stream.write(cyclonedx.build(data))

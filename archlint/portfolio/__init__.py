"""The portfolio view: every feature of one or more repositories, for a review board.

collect (feature files or JSON reports -> plain feature records) -> aggregate (numbers, chart
series, controls view) -> html / formats / cyclonedx (output). Nothing here is imported by
`archlint check` unless it is asked for a portfolio format (cyclonedx).
"""

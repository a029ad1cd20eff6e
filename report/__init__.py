"""isobench's report: charts, the claims table and the pages, from results folders.

Run as `python3 -m report DIR...` with the repository root on PYTHONPATH (what
`bench report` does). Python is used only here; the benchmarks are C++.
"""

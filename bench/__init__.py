"""Benchmarks (`python -m bench`): each prints a table with its target and writes docs/benchmarks.md.

Machines are shared and noisy, so nothing here is a pass/fail test: compare the figures and ratios
measured in one run."""

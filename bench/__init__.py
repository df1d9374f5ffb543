"""Province-scale benchmark: `python -m bench --scale 1` (see bench/__main__.py)."""

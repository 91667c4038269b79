"""The version of mcpforge, and of the template it ships (a leaf: it imports nothing).

A release bumps the line below (docs/releasing.md); the template history (history.py)
reads it from git, so it stays one `__version__ = "X.Y.Z"` line.
"""

__version__ = "0.1.0"

"""mcpforge: create, update and check production-ready MCP servers in Python."""

__version__ = "0.1.0"

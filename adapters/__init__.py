"""wattlog adapters."""

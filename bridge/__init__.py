"""wattlog bridge."""

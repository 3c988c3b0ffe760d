"""SQL that keeps the bridge routing tables in step with session events (`routing.py`)."""

"""The "samples" projection: 1 Hz samples per session and their minute and day rollups."""

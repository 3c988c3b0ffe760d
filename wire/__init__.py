"""The wire contract between the bridge (or phone gateway) and the server, defined once.

Both sides import it; it imports nothing of theirs (docs/architecture.md, "Folders and the
direction of their imports"). `limits` and `routing` are plain Python (the domain reads the
limits); `envelope` and `commands` encode and parse the JSON bodies.
docs/bridge-protocol.md is the reference.
"""

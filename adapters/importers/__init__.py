"""Ride file importers: files in, pure domain structures out."""

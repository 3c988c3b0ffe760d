"""The "summaries" projection: one summary per session and each athlete's fitness by day."""

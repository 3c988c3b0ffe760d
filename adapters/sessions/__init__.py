"""Application services around the WorkoutSession aggregate (used by the API and the tools)."""

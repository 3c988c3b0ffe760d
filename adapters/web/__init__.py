"""The web dashboard: server-provided HTML pages with small ES modules, and their assets.
`setup_dashboard(app)` adds its routes (and the replay's) to the API application."""

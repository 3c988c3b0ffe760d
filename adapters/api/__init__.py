"""The aiohttp service: REST API, WebSockets, dashboard, health and metrics."""

"""The HTTP pieces the API, the replay and the dashboard share, below all three: error
answers (`errors`), request validation (`validation`), the typed keys they read (`keys`),
ownership lookups (`ownership`), WebSocket origin check, tickets and authentication
(`handshake`, `tickets`), the open-socket registry (`sockets`) and `in_thread`
(`threads`). It imports none of them."""

"""Live updates: the websocket hub, its protocol, and fan-out across workers."""

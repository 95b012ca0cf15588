"""HTTP API: thin routers over the services; errors as {code, message, messages}."""

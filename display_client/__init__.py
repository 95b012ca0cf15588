"""The lobby display web app (a browser on a TV), served by queue_server."""

"""The touchscreen kiosk web app (templates and static files), served by queue_server."""

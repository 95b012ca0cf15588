"""The touchscreen kiosk: a full-screen web app served by the queue server at /kiosk."""

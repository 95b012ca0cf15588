"""Server-rendered pages: the visitor's phone page now; counter, admin and reports later."""

"""The web layer: app factory, error handlers, operations endpoints, page rendering."""

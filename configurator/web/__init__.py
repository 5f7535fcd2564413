"""Web: the HTTP edge (blueprints, views, forms). The only layer that reads the request."""

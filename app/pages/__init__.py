"""Routes that render the Jinja2 templates, and the vendored front-end files."""

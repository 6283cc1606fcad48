"""Renderers: one module per output format, each dispatching on the type of what it prints."""

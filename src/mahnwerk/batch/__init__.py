"""The vectorised daily run over many cases."""

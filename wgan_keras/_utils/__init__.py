"""Helpers the package shares: atomic files, downloads, argument checks, layers."""

"""Fake backends for Camera Bridge, served over real HTTP on 127.0.0.1."""

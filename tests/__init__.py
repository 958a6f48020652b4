"""Tests for Camera Bridge."""

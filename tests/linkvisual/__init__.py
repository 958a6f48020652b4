"""Tests of the LinkVisual client and simulator."""

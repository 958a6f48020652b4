"""Tests of the TKH Security VDG Sense backend."""

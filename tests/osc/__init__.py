"""Tests of the OSC 360° camera backend."""

"""Tests of the Flashphoner Web Call Server backend."""

"""Smoke run of Camera Bridge in a real Home Assistant (see scripts/smoke).

The newest Home Assistant release is started with the integration and the
simulators, then driven over its REST and websocket APIs the way the frontend
does; the run fails on any warning, error or deprecation report that
concerns camera_bridge in home-assistant.log.
"""

"""Conversations as data: each flow is a list of steps run by one engine (engine.py)."""

"""Execution policies learned in the simulator's execution environment (no Django)."""

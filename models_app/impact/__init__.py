"""Pure impact-model computation: features, baselines, learners, conformal intervals.

No Django here: everything takes and returns polars frames or numpy arrays, so
the same code trains in a Celery task, validates against the simulator's truth
in a test, and runs in a notebook.
"""

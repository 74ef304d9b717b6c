"""Market simulator with known ground truth, for demos, tests and model validation.

Pure numpy/polars: no Django. ``simulate`` builds a data set in the canonical
``tca.frames`` schemas plus the truth behind it; ``write_dataset`` writes it in
the SPEC's file formats. See docs/simulator.md for the model.
"""

from .config import PRESETS, STRATEGIES, SimConfig
from .files import write_dataset
from .simulate import Dataset, simulate

__all__ = ["PRESETS", "STRATEGIES", "Dataset", "SimConfig", "simulate", "write_dataset"]

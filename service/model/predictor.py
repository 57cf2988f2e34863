"""What the explanation and improvement stages need of a model: texts in, probabilities out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt


class Predictor(Protocol):
    """Anything that maps texts to level probabilities ``(n, dimensions, levels)``."""

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.float64]: ...

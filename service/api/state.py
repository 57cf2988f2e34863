"""What the running API holds: the model (loaded in the background) and its guards."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from service.api.admission import Admission
from service.api.limits import RateLimiter
from service.api.metrics import MODEL_READY
from service.model.runtime import QualityModel
from service.settings import ApiSettings

log = logging.getLogger("scrutiny.api")


@dataclass
class ApiState:
    """Shared by every request of one application instance."""

    settings: ApiSettings
    model_dir: Path
    model: QualityModel | None = None
    load_error: str | None = None
    rate_limiter: RateLimiter = field(init=False)
    admission: Admission = field(init=False)

    def __post_init__(self) -> None:
        self.rate_limiter = RateLimiter(
            self.settings.rate_limit_per_minute, self.settings.rate_limit_burst
        )
        self.admission = Admission(
            slots=self.settings.max_concurrent_scores,
            max_queued=self.settings.max_queued,
            wait_seconds=self.settings.queue_wait_seconds,
        )

    def load_model(self) -> None:
        """Load and verify the model; on failure keep the reason for /readyz."""
        started = time.perf_counter()
        try:
            self.model = QualityModel.load(self.model_dir)
        except Exception as error:  # any failure means "not ready", with the reason kept
            self.load_error = f"{type(error).__name__}: {error}"
            log.error("model not loaded from %s: %s", self.model_dir, self.load_error)
            return
        MODEL_READY.set(1)
        log.info(
            "model %s loaded and verified in %.2fs",
            self.model.name,
            time.perf_counter() - started,
        )

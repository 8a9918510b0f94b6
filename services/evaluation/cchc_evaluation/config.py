"""Settings of the evaluation service (environment variables ``CCHC_EVALUATION_*``).

The selection and PAR-Index rules are settings so the Department can tune them per campaign
without a release; their meaning is documented in ``services/evaluation/README.md``.
"""

from typing import ClassVar, Literal

from pydantic import Field

from cchc_shared.chassis.settings import ServiceSettings


class EvaluationSettings(ServiceSettings):
    service_name: ClassVar[str] = "evaluation"
    default_http_port: ClassVar[int] = 8003

    # Selection (Deliver 4 and 5 of the issue).
    recommendation_threshold: float = Field(70.0, ge=0, le=100)
    quorum_min: int = Field(3, ge=1)
    disagreement_range: float = Field(20.0, ge=0, le=100)
    final_score_method: Literal["mean", "median"] = "mean"
    require_sector_opinion: bool = True
    rubric_step: float = Field(0.5, gt=0)

    # PAR-Index contribution (Deliver 6).
    par_points_per_submitted: float = Field(0.5, ge=0)
    par_points_per_surveyed: float = Field(0.5, ge=0)
    par_points_per_recommended: float = Field(1.0, ge=0)
    par_points_cap: float = Field(3.0, ge=0)
    par_district_counts_wards: bool = True
    # Replication fed back: per model recognised after the previous campaign that the unit
    # (or one of its wards) reported as adopted.
    par_points_per_adopted: float = Field(0.5, ge=0)
    # The recomputer of the contributions: a change marks its unit; a pass starts
    # ``linger`` seconds after the first mark of a burst, at most one per ``min_interval``
    # under a stream of changes, and every ``poll_interval`` for marks left by another replica
    # or a crash; it takes up to ``batch`` marks per transaction.
    par_recompute_linger: float = Field(0.2, ge=0)
    par_recompute_min_interval: float = Field(1.0, ge=0)
    par_recompute_poll_interval: float = Field(1.0, gt=0)
    par_recompute_batch: int = Field(1000, ge=1)

"""The rubric (bộ tiêu chí đánh giá) of a campaign: criteria, maximum points and point bands
with Vietnamese descriptors, and the scoring of one evaluation sheet against it.

The default 2023 rubric and its sources are documented in ``services/evaluation/README.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cchc_shared.errors import Fault, InvalidInput

TOTAL_POINTS = 100.0
_EPSILON = 1e-9


@dataclass(frozen=True)
class Band:
    """A point band of a criterion, bounds inclusive (e.g. 20-25 'Tốt')."""

    min_score: float
    max_score: float
    label: str
    descriptor: str

    def contains(self, score: float) -> bool:
        return self.min_score - _EPSILON <= score <= self.max_score + _EPSILON


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    description: str
    source: str
    max_score: float
    bands: tuple[Band, ...]

    def band_of(self, score: float) -> Band | None:
        return next((band for band in self.bands if band.contains(score)), None)


@dataclass(frozen=True)
class CriterionScore:
    criterion: str
    score: float
    max_score: float


@dataclass(frozen=True)
class ScoreSheet:
    scores: tuple[CriterionScore, ...]
    total: float


@dataclass(frozen=True)
class Rubric:
    campaign_year: int
    title: str
    step: float
    criteria: tuple[Criterion, ...]

    @property
    def total_max(self) -> float:
        return sum(c.max_score for c in self.criteria)

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code), None)

    def problems(self) -> list[Fault]:
        """Why this rubric cannot be used; empty when it is sound."""
        faults: list[Fault] = []
        if not self.criteria:
            faults.append(Fault("criteria", "Bộ tiêu chí chưa có tiêu chí nào", "no criteria"))
        if self.step <= 0:
            faults.append(Fault("step", "Bước điểm phải lớn hơn 0", "step must be positive"))
            return faults
        codes = [c.code for c in self.criteria]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            faults.append(
                Fault("criteria", f"Mã tiêu chí {code} bị trùng", f"duplicate criterion {code}")
            )
        if self.criteria and not math.isclose(self.total_max, TOTAL_POINTS):
            faults.append(
                Fault(
                    "criteria",
                    f"Tổng điểm tối đa các tiêu chí phải bằng 100 (hiện là {self.total_max:g})",
                    f"the criteria's maximum points must total 100 (they total {self.total_max:g})",
                )
            )
        for i, criterion in enumerate(self.criteria):
            faults.extend(self._band_problems(i, criterion))
        return faults

    def _band_problems(self, index: int, criterion: Criterion) -> list[Fault]:
        where = f"criteria[{index}].bands"
        name = f"{criterion.name} ({criterion.code})"
        if criterion.max_score <= 0 or not _on_step(criterion.max_score, self.step):
            return [
                Fault(
                    f"criteria[{index}].max_score",
                    f"Điểm tối đa của tiêu chí {name} phải dương và là bội số của {self.step:g}",
                    f"criterion {criterion.code}: max_score must be positive and a multiple of "
                    f"{self.step:g}",
                )
            ]
        bands = sorted(criterion.bands, key=lambda b: b.min_score)
        expected_min = 0.0
        for band in bands:
            if not (
                math.isclose(band.min_score, expected_min, abs_tol=_EPSILON)
                and band.max_score >= band.min_score
                and _on_step(band.min_score, self.step)
                and _on_step(band.max_score, self.step)
            ):
                return [
                    Fault(
                        where,
                        f"Các khung điểm của tiêu chí {name} phải liền nhau từ 0 đến "
                        f"{criterion.max_score:g}, theo bước {self.step:g}",
                        f"criterion {criterion.code}: bands must run contiguously from 0 to "
                        f"{criterion.max_score:g} in steps of {self.step:g}",
                    )
                ]
            expected_min = band.max_score + self.step
        if not bands or not math.isclose(bands[-1].max_score, criterion.max_score):
            return [
                Fault(
                    where,
                    f"Khung điểm cao nhất của tiêu chí {name} phải kết thúc ở "
                    f"{criterion.max_score:g}",
                    f"criterion {criterion.code}: the top band must end at {criterion.max_score:g}",
                )
            ]
        return []

    def score(self, entries: Sequence[tuple[str, float]]) -> ScoreSheet:
        """Check one sheet (criterion code, score) against the rubric; every criterion exactly
        once, each score on the step and inside one of its criterion's bands."""
        faults: list[Fault] = []
        given: dict[str, float] = {}
        for i, (code, score) in enumerate(entries):
            criterion = self.criterion(code)
            if criterion is None:
                faults.append(
                    Fault(
                        f"scores[{i}].criterion",
                        f"Tiêu chí {code} không có trong bộ tiêu chí năm {self.campaign_year}",
                        f"criterion {code} is not in the {self.campaign_year} rubric",
                    )
                )
                continue
            if code in given:
                faults.append(
                    Fault(
                        f"scores[{i}].criterion",
                        f"Tiêu chí {code} được chấm hai lần",
                        f"criterion {code} is scored twice",
                    )
                )
                continue
            given[code] = score
            band = criterion.band_of(score)
            if band is None or not _on_step(score, self.step):
                ranges = ", ".join(
                    f"{b.min_score:g}–{b.max_score:g} ({b.label})" for b in criterion.bands
                )
                faults.append(
                    Fault(
                        f"scores[{i}].score",
                        f"Điểm {score:g} của tiêu chí “{criterion.name}” ({code}) nằm ngoài các "
                        f"khung điểm {ranges}, bước {self.step:g}",
                        f"score {score:g} of criterion {code} is outside its bands "
                        f"{ranges.replace('–', '-')} (step {self.step:g})",
                    )
                )
        missing = [c.code for c in self.criteria if c.code not in given]
        if missing:
            faults.append(
                Fault(
                    "scores",
                    f"Chưa chấm các tiêu chí: {', '.join(missing)}",
                    f"criteria not scored: {', '.join(missing)}",
                )
            )
        if faults:
            raise InvalidInput(*faults)
        scores = tuple(
            CriterionScore(c.code, float(given[c.code]), c.max_score) for c in self.criteria
        )
        return ScoreSheet(scores, round(sum(s.score for s in scores), 2))


def _on_step(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-6


# --------------------------------------------------------------------------------------
# Serialisation (stored as JSON; served over HTTP)


def rubric_to_dict(rubric: Rubric) -> dict[str, Any]:
    return {
        "campaign_year": rubric.campaign_year,
        "title": rubric.title,
        "step": rubric.step,
        "total_max": rubric.total_max,
        "criteria": [
            {
                "code": c.code,
                "name": c.name,
                "description": c.description,
                "source": c.source,
                "max_score": c.max_score,
                "bands": [
                    {
                        "min_score": b.min_score,
                        "max_score": b.max_score,
                        "label": b.label,
                        "descriptor": b.descriptor,
                    }
                    for b in c.bands
                ],
            }
            for c in rubric.criteria
        ],
    }


def rubric_from_dict(data: Mapping[str, Any]) -> Rubric:
    return Rubric(
        campaign_year=int(data["campaign_year"]),
        title=str(data["title"]),
        step=float(data["step"]),
        criteria=tuple(
            Criterion(
                code=str(c["code"]),
                name=str(c["name"]),
                description=str(c.get("description", "")),
                source=str(c.get("source", "")),
                max_score=float(c["max_score"]),
                bands=tuple(
                    Band(
                        min_score=float(b["min_score"]),
                        max_score=float(b["max_score"]),
                        label=str(b["label"]),
                        descriptor=str(b.get("descriptor", "")),
                    )
                    for b in c["bands"]
                ),
            )
            for c in data["criteria"]
        ),
    )


# --------------------------------------------------------------------------------------
# The default rubric, built from the 2023 survey plan and the conditions for recognising an
# initiative in the Regulation on Initiatives (Điều lệ Sáng kiến, Nghị định 13/2012/NĐ-CP).

_PLAN = "Kế hoạch khảo sát mô hình, giải pháp, sáng kiến CCHC năm 2023 của Sở Nội vụ"
_DECREE = "Điều lệ Sáng kiến ban hành kèm theo Nghị định số 13/2012/NĐ-CP"
_LABELS = ("Chưa đạt", "Trung bình", "Khá", "Tốt")
# Band edges as shares of the criterion's maximum: [0, 40%), [40%, 60%), [60%, 80%), [80%, 100%].
_EDGES = (0.0, 0.4, 0.6, 0.8, 1.0)


def _bands(
    max_score: float, step: float, descriptors: tuple[str, str, str, str]
) -> tuple[Band, ...]:
    bands = []
    for i, (label, descriptor) in enumerate(zip(_LABELS, descriptors, strict=True)):
        low = _EDGES[i] * max_score
        high = max_score if i == len(_LABELS) - 1 else _EDGES[i + 1] * max_score - step
        bands.append(Band(low, high, label, descriptor))
    return tuple(bands)


def default_rubric(campaign_year: int, step: float = 0.5) -> Rubric:
    """The default rubric (totals 100) for a campaign without one of its own."""
    spec: tuple[tuple[str, str, str, str, float, tuple[str, str, str, str]], ...] = (
        (
            "novelty",
            "Tính mới, sáng tạo",
            "Mô hình, giải pháp chưa được áp dụng tại đơn vị hoặc cải tiến rõ rệt so với "
            "cách làm trước đây; không trùng với giải pháp đã được công nhận.",
            f"{_DECREE}, điều kiện công nhận sáng kiến: có tính mới trong phạm vi cơ sở",
            15.0,
            (
                "Lặp lại cách làm đã có, không có điểm mới",
                "Có cải tiến nhỏ so với cách làm hiện hành",
                "Có điểm mới rõ, cải tiến đáng kể quy trình, cách làm",
                "Cách làm mới, sáng tạo, lần đầu áp dụng trên địa bàn Thành phố",
            ),
        ),
        (
            "applicability",
            "Khả năng áp dụng thực tiễn",
            "Đã được áp dụng (hoặc áp dụng thử) ổn định tại đơn vị; điều kiện nhân lực, kinh phí, "
            "công nghệ để duy trì là khả thi.",
            f"{_DECREE}, điều kiện công nhận sáng kiến: đã được áp dụng hoặc áp dụng thử, "
            "có khả năng áp dụng",
            15.0,
            (
                "Chưa áp dụng hoặc áp dụng gián đoạn",
                "Áp dụng thử, phạm vi hẹp, còn phụ thuộc điều kiện đặc thù",
                "Áp dụng ổn định tại đơn vị, điều kiện duy trì khả thi",
                "Áp dụng ổn định, thường xuyên, chi phí duy trì thấp",
            ),
        ),
        (
            "effectiveness",
            "Hiệu quả, lợi ích thiết thực đạt được",
            "Kết quả đo được: rút ngắn thời gian, giảm chi phí, giảm hồ sơ trễ hạn, tăng tỷ lệ "
            "giải quyết đúng hạn, tiết kiệm nguồn lực.",
            f"{_PLAN}, mục II.2 (khảo sát hiệu quả công tác triển khai các sáng kiến); "
            f"{_DECREE}, điều kiện công nhận sáng kiến: mang lại lợi ích thiết thực",
            25.0,
            (
                "Chưa chứng minh được hiệu quả",
                "Có hiệu quả nhưng hạn chế, chưa có số liệu rõ ràng",
                "Hiệu quả rõ, có số liệu chứng minh",
                "Hiệu quả nổi bật, số liệu thuyết phục, lợi ích lớn",
            ),
        ),
        (
            "satisfaction",
            "Tác động đến mức độ hài lòng của người dân, doanh nghiệp",
            "Mức độ hài lòng của người dân, doanh nghiệp được cải thiện (khảo sát, phản ánh, "
            "kiến nghị), thuận lợi hơn khi giao dịch với cơ quan nhà nước.",
            f"{_PLAN}, mục I.1 và II.2 (sự tác động của các mô hình, giải pháp đối với mức độ "
            "hài lòng của người dân, doanh nghiệp)",
            25.0,
            (
                "Không có tác động hoặc không đánh giá được",
                "Có tác động nhưng chưa rõ nét",
                "Tác động rõ, mức hài lòng tăng có minh chứng",
                "Tác động rất rõ, mức hài lòng cao và được ghi nhận rộng rãi",
            ),
        ),
        (
            "replicability",
            "Khả năng nhân rộng, lan tỏa",
            "Có thể triển khai tại các cơ quan, đơn vị khác (cùng cấp hoặc toàn Thành phố) với "
            "điều chỉnh hợp lý.",
            f"{_PLAN}, mục I.1 và II.4.c (tham mưu Chủ tịch UBND Thành phố công nhận và "
            "nhân rộng); Kế hoạch số 4257/KH-UBND ngày 16/12/2021",
            20.0,
            (
                "Chỉ phù hợp với đặc thù của đơn vị",
                "Có thể áp dụng ở một số ít đơn vị tương tự",
                "Có thể nhân rộng trong cùng cấp hoặc cùng lĩnh vực",
                "Có thể nhân rộng trên toàn Thành phố",
            ),
        ),
    )
    return Rubric(
        campaign_year=campaign_year,
        title=f"Bộ tiêu chí đánh giá mô hình, giải pháp, sáng kiến CCHC năm {campaign_year}",
        step=step,
        criteria=tuple(
            Criterion(code, name, description, source, max_score, _bands(max_score, step, labels))
            for code, name, description, source, max_score, labels in spec
        ),
    )

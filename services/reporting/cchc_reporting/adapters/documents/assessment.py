"""What the survey found about one initiative, in the words of its own evaluations.

Seed plan II.2: for each initiative, its effectiveness, its impact on the satisfaction of
citizens and businesses, its strengths, limitations and difficulties. The figures are the
means of its own criterion scores; the remarks are the surveyors' own (distinct remarks, the
most shared first); the reason for a recommendation is written from those figures and the
results the agency reported, so it can never say more than they do.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Final

from cchc_reporting.adapters.documents.common import decimal
from cchc_reporting.domain.read_models import InitiativeLife
from cchc_shared.contracts.text import fold
from cchc_shared.documents import Block, Bullets, Heading

REMARKS: Final = 3  # distinct remarks of each kind kept per initiative

CRITERION_VI: Final[dict[str, str]] = {
    "novelty": "tính mới, sáng tạo",
    "applicability": "khả năng áp dụng thực tiễn",
    "effectiveness": "hiệu quả, lợi ích thiết thực",
    "satisfaction": "tác động đến mức độ hài lòng",
    "replicability": "khả năng nhân rộng, lan tỏa",
}
# The order the plan gives them in (seed plan II.2), then any other criterion.
_ORDER: Final = tuple(CRITERION_VI)


@dataclass(frozen=True)
class CriterionResult:
    code: str
    mean: float
    maximum: float

    @property
    def ratio(self) -> float:
        return self.mean / self.maximum if self.maximum else 0.0

    @property
    def name(self) -> str:
        return CRITERION_VI.get(self.code, self.code)

    @property
    def points(self) -> str:
        return f"{decimal(self.mean)}/{decimal(self.maximum)} điểm"


def criterion_results(life: InitiativeLife) -> list[CriterionResult]:
    """The mean score of each criterion over the initiative's evaluations."""
    by_code: dict[str, list[float]] = {}
    maxima: dict[str, float] = {}
    for evaluation in life.evaluations:
        for score in evaluation.scores:
            by_code.setdefault(score.criterion, []).append(score.score)
            maxima[score.criterion] = score.max_score
    results = [
        CriterionResult(code, round(statistics.fmean(values), 2), maxima[code])
        for code, values in by_code.items()
    ]
    return sorted(results, key=lambda r: (_ORDER.index(r.code) if r.code in _ORDER else 99, r.code))


def _degree(ratio: float) -> str:
    """How the survey rates a criterion, from the share of its maximum it scored."""
    if ratio >= 0.85:
        return "nổi bật"
    if ratio >= 0.7:
        return "rõ"
    if ratio >= 0.5:
        return "có nhưng chưa rõ nét"
    return "chưa thể hiện rõ"


def serves_businesses(life: InitiativeLife) -> bool:
    text = fold(" ".join((life.title, life.summary, life.results)))
    return "doanh nghiep" in text or "nha dau tu" in text or "ho kinh doanh" in text


def beneficiaries(life: InitiativeLife) -> str:
    return "người dân, doanh nghiệp" if serves_businesses(life) else "người dân"


def _criterion(life: InitiativeLife, code: str) -> CriterionResult | None:
    return next((r for r in criterion_results(life) if r.code == code), None)


def effectiveness_line(life: InitiativeLife) -> str:
    found = _criterion(life, "effectiveness")
    rated = f"{_degree(found.ratio)} ({found.points})" if found else "chưa được chấm điểm"
    results = life.results.strip().rstrip(".")
    return f"Hiệu quả: {rated}" + (f"; kết quả đơn vị báo cáo: {results}" if results else "")


def satisfaction_line(life: InitiativeLife) -> str:
    found = _criterion(life, "satisfaction")
    rated = f"{_degree(found.ratio)} ({found.points})" if found else "chưa được chấm điểm"
    return f"Tác động đến mức độ hài lòng của {beneficiaries(life)}: {rated}"


_OPENING: Final = re.compile(r"^[^:;()]{1,30}:\s*")  # "Đoàn ghi nhận: …"
_ASIDE: Final = re.compile(r"\s*\([^)]*\)")
_PROPER: Final = ("Ủy", "Sở", "Thành", "Quận", "Phường", "Trung", "Bộ", "Ban")


def _phrases(texts: list[str]) -> list[str]:
    """The surveyors' remarks cut into their phrases, each without its opening words, the most
    shared first: several sheets saying the same thing count once, with its weight."""
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for text in texts:
        for raw in text.split(";"):
            phrase = _OPENING.sub("", raw.strip().rstrip(".")).strip()
            key = fold(_ASIDE.sub("", phrase))
            if not key:
                continue
            counts[key] += 1
            first.setdefault(key, phrase)
    order = {key: i for i, key in enumerate(first)}
    return [first[k] for k in sorted(counts, key=lambda k: (-counts[k], order[k]))]


def _sentence(phrases: list[str]) -> str:
    parts = []
    for i, phrase in enumerate(phrases):
        if i == 0:
            parts.append(phrase[:1].upper() + phrase[1:])
        elif phrase.split(" ", 1)[0] in _PROPER:
            parts.append(phrase)
        else:
            parts.append(phrase[:1].lower() + phrase[1:])
    return "; ".join(parts)


def _remarks(label: str, texts: list[str]) -> str:
    phrases = _phrases(texts)[:REMARKS]
    return f"{label}: {_sentence(phrases)}" if phrases else f"{label}: Đoàn khảo sát không nêu"


def assessment_lines(life: InitiativeLife) -> list[str]:
    """The survey's findings on one initiative, one line each (a bulleted list)."""
    evaluations = life.evaluations
    return [
        effectiveness_line(life),
        satisfaction_line(life),
        _remarks("Ưu điểm", [e.strengths for e in evaluations]),
        _remarks("Hạn chế", [e.limitations for e in evaluations]),
        _remarks("Khó khăn, vướng mắc", [e.difficulties for e in evaluations]),
    ]


def assessment_blocks(life: InitiativeLife, heading: str, level: int = 3) -> list[Block]:
    return [Heading(heading, level=level), Bullets(assessment_lines(life))]


def recommendation_reason(life: InitiativeLife, threshold: float) -> str:
    """Why the initiative is proposed, from its own figures: its final score against the
    threshold, its strongest criteria, and the results its agency reported."""
    rec = life.recommendation
    score = rec.final_score if rec else life.mean_score
    count = rec.evaluation_count if rec else life.summary_scores.count
    parts = [
        f"đạt {decimal(score)}/100 điểm (ngưỡng đề xuất {decimal(threshold)} điểm) qua "
        f"{count} phiếu đánh giá"
    ]
    strongest = sorted(criterion_results(life), key=lambda r: -r.ratio)[:2]
    if strongest:
        parts.append(
            "các tiêu chí được đánh giá cao nhất: "
            + ", ".join(f"{r.name} {_degree(r.ratio)} ({r.points})" for r in strongest)
        )
    satisfaction = _criterion(life, "satisfaction")
    if satisfaction is not None and satisfaction not in strongest:
        parts.append(
            f"tác động đến mức độ hài lòng của {beneficiaries(life)} "
            f"{_degree(satisfaction.ratio)} ({satisfaction.points})"
        )
    results = life.results.strip().rstrip(".")
    if results:
        parts.append(f"kết quả đơn vị báo cáo: {results}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."

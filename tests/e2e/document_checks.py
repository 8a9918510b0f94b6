"""What a clerk of the Department checks before signing, read from the PDFs' own text (pypdf),
one function per class of defect. The end-to-end test runs them on the demo campaign's
documents; each returns the faults it found (empty when the documents are right)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from pypdf import PdfReader

YEAR = 2023
ANY_YEAR = re.compile(r"năm\s+(\d{4})")
# "67.94", not a heading's "2.1." nor a thousands group "6.640".
DECIMAL_POINT = re.compile(r"(?<![\d/.])\d+\.\d{1,2}(?![\d/.])")


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@dataclass
class Pdf:
    path: Path

    @cached_property
    def pages(self) -> list[str]:
        reader = PdfReader(io.BytesIO(self.path.read_bytes()))
        return [page.extract_text() for page in reader.pages]

    @cached_property
    def text(self) -> str:
        return flat("\n".join(self.pages))

    @cached_property
    def lines(self) -> list[str]:
        return [line.strip() for page in self.pages for line in page.splitlines()]

    def part(self, start: str, end: str | None = None) -> str:
        """The flattened text from ``start`` up to ``end`` (or the end)."""
        i = self.text.find(start)
        if i < 0:
            return ""
        j = self.text.find(end, i + len(start)) if end else -1
        return self.text[i : j if j >= 0 else None]


@dataclass
class Documents:
    out: Path
    recommended: int
    plan_number: str  # the survey plan the campaign names
    plan_signed_on: date

    @property
    def plan_citation(self) -> str:
        """ "Kế hoạch số 1582/KH-SNV ngày 10 tháng 5 năm 2023", as every document cites it."""
        day = self.plan_signed_on
        return f"Kế hoạch số {self.plan_number} ngày {day.day} tháng {day.month} năm {day.year}"

    def pdf(self, name: str) -> Pdf:
        return Pdf(self.out / name)

    @cached_property
    def proposal(self) -> Pdf:
        return self.pdf(f"{YEAR}-proposal.pdf")

    @cached_property
    def report(self) -> Pdf:
        return self.pdf(f"{YEAR}-survey-report.pdf")

    @cached_property
    def annex(self) -> Pdf:
        return self.pdf(f"{YEAR}-par-index-annex.pdf")

    @cached_property
    def invitations(self) -> list[Pdf]:
        return [Pdf(p) for p in sorted((self.out / "notices").glob("*giay-moi*.pdf"))]

    @cached_property
    def notices(self) -> list[Pdf]:
        return [Pdf(p) for p in sorted((self.out / "notices").glob("*thong-bao*.pdf"))]

    @cached_property
    def rounds(self) -> list[Pdf]:
        return [Pdf(p) for p in sorted((self.out / "rounds").glob("*.pdf"))]

    @property
    def all(self) -> list[Pdf]:
        return [
            self.proposal,
            self.report,
            self.annex,
            *self.invitations,
            *self.notices,
            *self.rounds,
        ]


def _issued(pdf: Pdf) -> date | None:
    m = re.search(r"Thành phố Hồ Chí Minh, ngày (\d{2}) tháng (\d{1,2}) năm (\d{4})", pdf.text)
    return date(int(m[3]), int(m[2]), int(m[1])) if m else None


def _dmy(text: str) -> list[date]:
    return [
        date(int(y), int(m), int(d)) for d, m, y in re.findall(r"\b(\d{2})/(\d{2})/(\d{4})\b", text)
    ]


def dates_in_the_campaign(docs: Documents) -> list[str]:
    """1. Every date reads in the campaign's year; notices come days before their round and
    before their reply deadline."""
    faults = []
    for pdf in docs.all:
        # The grounds cite laws and decisions of earlier years; nothing is dated after.
        stray = {int(y) for y in ANY_YEAR.findall(pdf.text) if YEAR < int(y) < 2100}
        if stray:
            faults.append(f"{pdf.path.name}: years {sorted(stray)}")
    for pdf in [*docs.invitations, *docs.notices]:
        issued = _issued(pdf)
        visits = _dmy(pdf.text)
        if issued is None:
            faults.append(f"{pdf.path.name}: no date of issue")
            continue
        if not visits or (min(visits) - issued).days < 5:
            faults.append(
                f"{pdf.path.name}: issued {issued}, first visit {min(visits, default=None)}"
            )
        m = re.search(r"trước ngày (\d{2}) tháng (\d{1,2}) năm (\d{4})", pdf.text)
        if m and date(int(m[3]), int(m[2]), int(m[1])) <= issued:
            faults.append(f"{pdf.path.name}: reply deadline before issue")
    for pdf in (docs.proposal, docs.report):
        if f"năm {YEAR}" not in pdf.part(
            "Thành phố Hồ Chí Minh, ngày", "TỜ TRÌNH" if pdf is docs.proposal else "BÁO CÁO"
        ):
            faults.append(f"{pdf.path.name}: not dated in {YEAR}")
    return faults


def _signer(pdf: Pdf) -> str:
    """The signer's name: the last line of the document."""
    lines = [line for line in pdf.lines if line]
    return lines[-1] if lines else ""


def signers_and_addressees(docs: Documents) -> list[str]:
    """2. Nobody invites themselves; members of other agencies are invited through their
    agency; a head not named in the plan is backed by a cited assignment."""
    faults = []
    for pdf in docs.invitations:
        addressee = re.search(r"Kính gửi: (.+?)\.", pdf.text)
        own = "giay-moi-snv." in pdf.path.name
        if addressee is None:
            faults.append(f"{pdf.path.name}: no addressee")
            continue
        signer = _signer(pdf)
        if signer and signer in addressee[1]:
            faults.append(f"{pdf.path.name}: {signer} invites themselves")
        if not own and not (
            re.match(r"(Sở|Văn phòng|Ban|Cục)\b", addressee[1])
            and re.search(r" cử (Ông|Bà) ", pdf.text)
        ):
            faults.append(f"{pdf.path.name}: a member of another agency invited in person")
        head = re.search(r"Trưởng đoàn: (Ông|Bà) ([^,]+),", pdf.text)
        if head and head[2] != "Ngô Thị Hoàng Các" and "phân công" not in pdf.text:
            faults.append(f"{pdf.path.name}: head {head[2]} without a cited assignment")
    return faults


WARD_KINDS = ("Phường", "Xã", "Thị trấn")


def units_named_in_full(docs: Documents) -> list[str]:
    """3. Wards with their district, no leading zeros, lower-case kinds in running text, no
    initiative listed twice."""
    faults = []
    for pdf in docs.all:
        if re.search(r"\b(Phường|Quận|phường|quận) 0\d", pdf.text):
            faults.append(f"{pdf.path.name}: a numbered unit with a leading zero")
        wrong = re.findall(r"\btại (Phường|Xã|Thị trấn|Quận|Huyện) (?!\d)[A-ZĐ]\w*", pdf.text)
        if wrong:
            faults.append(f"{pdf.path.name}: capitalised unit kind in running text ({wrong[:3]})")
        for m in re.finditer(r"\btại (phường|xã|thị trấn) ([^,;.()]+?)(,|\s\(|;|\.)", pdf.text):
            if m[3] != ",":
                faults.append(f"{pdf.path.name}: ward without its district: {m[0]}")
                break
    details = docs.proposal.part("PHỤ LỤC II", "DỰ THẢO")
    titles = re.findall(r"\b\d+\. (.+?) - Cơ quan, đơn vị thực hiện:", details)
    if len(titles) != len(set(titles)):
        faults.append("the same initiative is listed twice in the Tờ trình")
    return faults


def complete_lists(docs: Documents) -> list[str]:
    """4. Where the text says N are recommended, all N are listed."""
    faults = []
    said = re.search(r"lựa chọn (\d+) mô hình, giải pháp, sáng kiến đề xuất", docs.proposal.text)
    if said is None or int(said[1]) != docs.recommended:
        faults.append(f"the Tờ trình does not say {docs.recommended} are selected")
    details = docs.proposal.part("PHỤ LỤC II", "DỰ THẢO")
    numbers = [
        int(n) for n in re.findall(r"(\d+)\. [^\d]{5}.*? - Cơ quan, đơn vị thực hiện:", details)
    ]
    if numbers != list(range(1, docs.recommended + 1)):
        faults.append(f"Phụ lục II of the Tờ trình lists {len(numbers)} of {docs.recommended}")
    annex = docs.report.part("PHỤ LỤC I", "PHỤ LỤC II")
    if "đề xuất công nhận và nhân rộng" not in annex.lower():
        faults.append("the survey report has no annex listing the recommended")
    return faults


def content_from_the_evaluations(docs: Documents) -> list[str]:
    """5. Per initiative: effectiveness, satisfaction of citizens and businesses, strengths,
    limitations, difficulties in the surveyors' own words; reasons that match the scores."""
    faults = []
    details = docs.proposal.part("PHỤ LỤC II", "DỰ THẢO")
    for label in ("Hiệu quả:", "Tác động đến mức độ hài lòng của", "Ưu điểm:", "Hạn chế:",
                  "Khó khăn, vướng mắc:", "Lý do đề xuất:"):  # fmt: skip
        if details.count(label) < docs.recommended:
            faults.append(f"Phụ lục II: '{label}' for {details.count(label)} of {docs.recommended}")
    strengths = re.findall(r"Ưu điểm: (.+?) - Hạn chế:", details)
    if strengths and len(set(strengths)) < 0.8 * len(strengths):
        faults.append(f"strengths from stock: {len(set(strengths))} distinct of {len(strengths)}")
    if "người dân, doanh nghiệp" not in details:
        faults.append("no initiative's impact on businesses")
    for reason in re.findall(
        r"Lý do đề xuất: Đạt (\d+,\d{2})/100 điểm \(ngưỡng đề xuất (\d+,\d{2})", details
    ):
        if float(reason[0].replace(",", ".")) < float(reason[1].replace(",", ".")):
            faults.append(f"a reason below the threshold: {reason}")
    for share, verdict in re.findall(
        r"(\d+)% [^.;]*hài lòng[^.;]*\)?[.;] [^-]*?(nổi bật|rõ \()", details
    ):
        if int(share) < 50 and verdict == "nổi bật":
            faults.append(f"{share}% satisfied called outstanding")
    if "người dân hài lòng, có khả năng nhân rộng" in docs.proposal.text:
        faults.append("a stock reason")
    return faults


def structure_of_the_proposal(docs: Documents) -> list[str]:
    """6. 3–5 pages; grounds with number and date; criteria and threshold; counts; a summary
    by area; the full list in a Phụ lục; the draft decision; the plan cited."""
    faults = []
    pages = docs.proposal.pages
    letter_pages = next((i for i, p in enumerate(pages) if "PHỤ LỤC I" in p), len(pages))
    if not 3 <= letter_pages <= 5:
        faults.append(f"the Tờ trình itself has {letter_pages} pages")
    text = docs.proposal.text
    for needed in ("Căn cứ Kế hoạch số 4257/KH-UBND ngày 16 tháng 12 năm 2021",
                   f"Căn cứ {docs.plan_citation} của Sở Nội vụ",
                   "70,00 điểm", "Bảng 1. Kết quả lựa chọn theo lĩnh vực", "PHỤ LỤC I",
                   "DỰ THẢO", "QUYẾT ĐỊNH", "Điều 1.", "CHỦ TỊCH"):  # fmt: skip
        if needed not in text:
            faults.append(f"the Tờ trình lacks '{needed}'")
    return faults


def the_campaigns_plan_cited(docs: Documents) -> list[str]:
    """6. The survey plan's own number and date are the campaign's settings: every notice,
    invitation, report, round report and the Tờ trình cites it as "Kế hoạch số <number> ngày
    <d> tháng <m> năm <y>", and no document cites it without them."""
    faults = []
    for pdf in [docs.proposal, docs.report, *docs.notices, *docs.invitations, *docs.rounds]:
        if docs.plan_citation not in pdf.text:
            faults.append(f"{pdf.path.name}: does not cite '{docs.plan_citation}'")
        if re.search(r"Kế hoạch của Sở Nội vụ về khảo sát", pdf.text):
            faults.append(f"{pdf.path.name}: cites the plan without its number and date")
    return faults


def no_secretary_scored(
    teams: dict[str, dict[str, str]], evaluations: list[tuple[str, str]]
) -> list[str]:
    """2. The secretary (thư ký) does not score, unless the campaign says so: no evaluation
    (round id, evaluator id) is a secretary's of that round (``teams``: round id → member id →
    role)."""
    return [
        f"round {round_id}: secretary {evaluator} scored"
        for round_id, evaluator in evaluations
        if teams.get(round_id, {}).get(evaluator) == "secretary"
    ]


def annexes(docs: Documents) -> list[str]:
    """7. A Phụ lục has no number of its own and names its report; the PAR-Index annex names
    its criterion and maximum, the models counted, the derivation and the cap."""
    faults = []
    annex = docs.annex
    if "Số:" in annex.text:
        faults.append("the PAR-Index annex has a number of its own")
    if not re.search(
        r"\(Kèm theo Báo cáo số .*?/BC-SNV ngày .*? năm 2023 của Sở Nội vụ\)", annex.text
    ):
        faults.append("the PAR-Index annex does not name its report")
    for needed in ("điểm tối đa của tiêu chí", "Cách tính điểm",
                   "Các mô hình, giải pháp, sáng kiến được tính cho từng đơn vị"):  # fmt: skip
        if needed not in annex.text:
            faults.append(f"the PAR-Index annex lacks '{needed}'")
    if "áp trần" in annex.text and "Việc áp trần là có chủ ý" not in annex.text:
        faults.append("the cap applies but the annex does not say whether it is intended")
    for pdf in (docs.report, docs.proposal):
        for m in re.finditer(r"PHỤ LỤC [IV]+ (.{0,400})", pdf.text):
            if "(Kèm theo" not in m[1]:
                faults.append(f"{pdf.path.name}: an annex without '(Kèm theo …)'")
    return faults


def legible_tables(docs: Documents) -> list[str]:
    """8. No word or number broken in a cell, no chart label cut, headers say what they count."""
    faults = []
    for pdf in docs.all:
        for line in pdf.lines:
            if re.search(r"\b(Điể|ST|Ngà|Lĩn)$", line) or re.match(r"^(m|T)$", line):
                faults.append(f"{pdf.path.name}: a broken word near '{line}'")
                break
            if re.search(r"\b\d{2}/\d{2}/\d{1,3}$", line) or re.search(r"\b\d+,\d$", line):
                faults.append(f"{pdf.path.name}: a broken number near '{line}'")
                break
            if re.search(r"\b\d{2} giờ$", line):
                faults.append(f"{pdf.path.name}: a broken time near '{line}'")
                break
        if "…" in pdf.text.replace("…/", "").replace("… ", ""):
            faults.append(f"{pdf.path.name}: a label cut with '…'")
        if "Số đơn vị" in pdf.text:
            faults.append(f"{pdf.path.name}: 'Số đơn vị' where it counts models")
    return faults


def vietnamese_numbers(docs: Documents) -> list[str]:
    """9. Decimal comma, two decimals for scores, a dot for thousands."""
    faults = []
    for pdf in docs.all:
        text = pdf.text
        point = DECIMAL_POINT.search(text)
        if point:
            faults.append(f"{pdf.path.name}: a decimal point ({point[0]})")
        if re.search(r"\b\d+,\d(?!\d)", text):
            faults.append(f"{pdf.path.name}: a score with one decimal")
        big = [n for n in re.findall(r"(?<![\d.,/])(\d{4,})(?![\d/])", text)
               if not 2000 <= int(n) <= 2100]  # fmt: skip
        if big:
            faults.append(f"{pdf.path.name}: thousands without a dot ({big[:3]})")
    return faults


def round_reports(docs: Documents) -> list[str]:
    """10. A single day is one date; members with title and agency; the right addressee."""
    faults = []
    for pdf in docs.rounds:
        for a, b in re.findall(
            r"từ (ngày \d{2} tháng \d{1,2} năm \d{4}) đến (ngày \d{2} tháng \d{1,2} năm \d{4})",
            pdf.text,
        ):
            if a == b:
                faults.append(f"{pdf.path.name}: one day written as a range")
        if "Kính gửi: Giám đốc Sở Nội vụ." not in pdf.text:
            faults.append(f"{pdf.path.name}: not addressed to the Director")
        members = re.findall(r"(Trưởng đoàn|Thành viên|Thư ký): (Ông|Bà) [^,]+, [^-]+", pdf.text)
        if len(members) < 3:
            faults.append(f"{pdf.path.name}: members without title and agency")
    return faults


def believable_data(docs: Documents) -> list[str]:
    """11. Figures fit the agency's size, titles its tier; some models serve businesses."""
    faults = []
    details = docs.proposal.part("PHỤ LỤC II", "DỰ THẢO") + docs.report.text
    for m in re.finditer(
        r"(phường|xã|thị trấn) [^;]{0,200}?(\d[\d.]*) (cán bộ, )?công chức", details
    ):
        if int(m[2].replace(".", "")) > 60:
            faults.append(f"a ward with {m[2]} officials")
    if re.search(r"phòng chuyên môn tại (phường|xã|thị trấn)", details):
        faults.append("a ward with phòng chuyên môn")
    if "doanh nghiệp" not in docs.proposal.part("PHỤ LỤC II", "DỰ THẢO"):
        faults.append("no recommended model serves businesses")
    return faults


CHECKS: tuple[Callable[[Documents], list[str]], ...] = (
    dates_in_the_campaign,
    signers_and_addressees,
    units_named_in_full,
    complete_lists,
    content_from_the_evaluations,
    structure_of_the_proposal,
    annexes,
    legible_tables,
    vietnamese_numbers,
    round_reports,
    believable_data,
    the_campaigns_plan_cited,
)


def check_all(
    out: Path, recommended: int, plan_number: str, plan_signed_on: date
) -> dict[str, list[str]]:
    docs = Documents(out, recommended, plan_number, plan_signed_on)
    return {check.__name__: check(docs) for check in CHECKS}

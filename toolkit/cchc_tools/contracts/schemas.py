"""JSON Schemas (draft 2020-12) of every event's ``data`` and of the CloudEvents envelope,
generated from the contract models and committed under ``docs/events/``.

The schemas describe what a publisher must send (pydantic's *validation* mode: fields with a
default may be left out). They never forbid extra properties: consumers ignore what they do not
know, so new optional fields are not a breaking change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from cchc_shared.contracts.envelope import SPEC_VERSION
from cchc_shared.contracts.events import (
    EVENTS,
    SCHEMA_BASE_URI,
    TYPE_PREFIX,
    EventData,
)
from cchc_shared.contracts.text import _multi_line, _single_line

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_SCHEMA_NAME = "cloudevent"
ENVELOPE_SCHEMA_ID = f"{SCHEMA_BASE_URI}{ENVELOPE_SCHEMA_NAME}.json"

# What text.py refuses, as ECMA-262 patterns: C0/C1 control characters (TAB, LF, CR allowed
# in multi-line text only).
SINGLE_LINE_PATTERN = r"^[^\u0000-\u001F\u007F-\u009F]*$"
MULTI_LINE_PATTERN = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"
TYPE_PATTERN = "^" + TYPE_PREFIX.replace(".", r"\.") + r"[a-z][a-z_]*\.[a-z][a-z_]*\.v[1-9][0-9]*$"

_TEXT_RULES: dict[Callable[[str], str], tuple[str, str]] = {
    _single_line: (
        SINGLE_LINE_PATTERN,
        "One line of text, no control characters; on receipt, trimmed, format characters "
        "(Cf) removed, NFKC but superscripts, subscripts and fractions, then NFC.",
    ),
    _multi_line: (
        MULTI_LINE_PATTERN,
        "Text, no control characters but TAB, LF, CR; on receipt, trimmed, format characters "
        "(Cf) removed, NFKC but superscripts, subscripts and fractions, then NFC.",
    ),
}

# Field documentation the models leave implicit (taken from CONTRACT.md).
_FIELD_DESCRIPTIONS: dict[str, str] = {
    "agency_code": (
        "Agency (đơn vị): a city department or vertical agency by its short code (e.g. SNV, "
        "CTHUE), a district-level unit by its 3-digit statistics code (e.g. 760 Quận 1), a "
        "ward/commune by its 5-digit statistics code (e.g. 26740 Phường Bến Nghé)."
    ),
    "campaign_year": "Year of the campaign (năm khảo sát).",
    "kind": "model (mô hình), solution (giải pháp) or initiative (sáng kiến).",
    "par_area": "Public-administration-reform area (lĩnh vực cải cách hành chính).",
    "initiative_id": "Initiative id, assigned by intake.",
    "sequence": "Round (đợt) number within the campaign, from 1.",
    "role": "head (trưởng đoàn), member (thành viên) or secretary (thư ký).",
    "total": "Total score, 0-100.",
    "final_score": "Final score over the initiative's evaluations, 0-100.",
    "recommendation": "replicate (nhân rộng), improve (cần hoàn thiện) or not_recommended.",
    "decision": "replicate (nhân rộng), improve (cần hoàn thiện) or not_recommended.",
    "overridden": "True when recommended below the threshold with a written, audited reason.",
    "scope": "Where to replicate: city_wide, district_level, commune_level or sector.",
    "version": (
        "Version of this state (of the unit's contribution, of the round, of the campaign's "
        "settings): grows by one at each change; keep the highest received."
    ),
    "plan_number": (
        "Number and symbol of the Department's survey plan (số hiệu Kế hoạch khảo sát), e.g. "
        "1582/KH-SNV; absent until the campaign names it."
    ),
    "plan_signed_on": "Date the survey plan was signed (ngày ban hành Kế hoạch).",
    "secretary_scores": (
        "True when the survey team's secretary (thư ký) scores the initiatives too; by "
        "default only the head and the members do."
    ),
    "submitted": "Live (not withdrawn) initiatives counted for the unit.",
    "surveyed": "Of those, initiatives with at least one evaluation.",
    "mean_score": (
        "Mean of the final scores of the unit's surveyed initiatives, 0-100; null if none."
    ),
    "points": "The unit's PAR-Index points under `rule`.",
    "final_score_method": "How an initiative's final score is taken: mean or median.",
    "district_counts_wards": (
        "True when Thủ Đức City and each district also count their wards', communes' and "
        "towns' initiatives."
    ),
    "draft_id": "Draft id, assigned by intake; the initiative keeps it once submitted.",
    "submission_closes_on": "Last day of the campaign's submission window (hạn nộp).",
    "missing_fields": (
        "The required content fields the draft still lacks, by their event names (title, "
        "summary, kind, par_area, applied_since, results); empty when only the submission "
        "is missing."
    ),
    "origin_source": "CloudEvents `source` of the refused inbound message.",
    "origin_id": "CloudEvents `id` of the refused inbound message.",
    "field": (
        "JSON path into the refused inbound event (e.g. `$.data.title`); empty for an "
        "envelope or encoding fault."
    ),
}

DESCRIPTIONS_VI: dict[str, str] = {
    "initiative.submitted.v1": "Sáng kiến của một đơn vị đã được tiếp nhận vào đợt khảo sát.",
    "inbound.initiative.submitted.v1": (
        "Nền tảng khác của Thành phố gửi đề xuất sáng kiến; phân hệ tiếp nhận cấp mã và "
        "phát hành lại."
    ),
    "initiative.amended.v1": "Nội dung sáng kiến được điều chỉnh khi đợt khảo sát còn mở.",
    "initiative.withdrawn.v1": "Đơn vị rút sáng kiến khỏi đợt khảo sát.",
    "initiative.rejected.v1": (
        "Thông điệp gửi vào bị từ chối; nêu rõ từng lỗi và được lưu lại để xử lý lại."
    ),
    "draft.reminder_due.v1": (
        "Hồ sơ đề xuất của đơn vị còn ở dạng bản nháp, chưa nộp, khi sắp hết hạn nhận đề "
        "xuất; gửi một lần cho mỗi bản nháp và mỗi hạn nộp."
    ),
    "campaign.settings_changed.v1": (
        "Đợt khảo sát năm được mở hoặc thay đổi thiết lập (thời hạn, số và ngày Kế hoạch "
        "khảo sát, thư ký có chấm điểm hay không); sự kiện mang toàn bộ thiết lập mới."
    ),
    "round.scheduled.v1": (
        "Đợt khảo sát, lịch làm việc và đoàn khảo sát đã được ấn định và thông báo."
    ),
    "round.rescheduled.v1": "Đợt khảo sát đã xác nhận được thay đổi; sự kiện mang trạng thái mới.",
    "round.cancelled.v1": "Đợt khảo sát đã xác nhận bị hủy; các buổi làm việc không diễn ra.",
    "evaluation.recorded.v1": "Thành viên đoàn khảo sát đã ghi nhận đánh giá một sáng kiến.",
    "replication.recommended.v1": (
        "Sáng kiến được đề xuất Chủ tịch UBND Thành phố công nhận và nhân rộng."
    ),
    "selection.decided.v1": (
        "Sở Nội vụ đã quyết định lựa chọn: đề xuất nhân rộng, cần hoàn thiện thêm hoặc "
        "không đề xuất."
    ),
    "par_index_contribution.updated.v1": (
        "Kết quả khảo sát của một cơ quan, đơn vị phục vụ xác định Chỉ số cải cách hành chính "
        "đã thay đổi; sự kiện mang toàn bộ trạng thái mới."
    ),
    "replication.decided.v1": (
        "Chủ tịch UBND Thành phố đã quyết định công nhận các mô hình, giải pháp, sáng kiến; "
        "phạm vi, các cơ quan, đơn vị phải triển khai nhân rộng và thời hạn."
    ),
    "adoption.reported.v1": (
        "Cơ quan, đơn vị báo cáo theo quý tình hình triển khai nhân rộng một mô hình: trạng "
        "thái, cách vận dụng và kết quả; báo cáo điều chỉnh mang số lần cao hơn."
    ),
}

_INITIATIVE = {
    "campaign_year": 2023,
    "agency_code": "26740",
    "kind": "model",
    "title": "Mô hình “Phường Bến Nghé không hẹn lần hai”",
    "summary": "Tiếp nhận và trả kết quả thủ tục hành chính trong ngày, không yêu cầu bổ sung "
    "hồ sơ quá một lần.",
    "par_area": "procedures",
    "applied_since": "2022-03-01",
    "results": "98% hồ sơ giải quyết đúng hạn; mức hài lòng của người dân đạt 96%.",
    "limitations": "Chưa liên thông dữ liệu với một số sở, ngành.",
    "submitted_at": "2023-04-12T02:30:00Z",
}
_INITIATIVE_ID = "0b5a3f4e-6c1d-4d8a-9f0e-2a7b1c9d3e11"
_ROUND_ID = "5f2c8e1a-3b4d-4c6e-8a9f-1d2e3f4a5b60"
_VISIT_ID = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
_ROUND = {
    "round_id": _ROUND_ID,
    "campaign_year": 2023,
    "sequence": 1,
    "starts_on": "2023-06-05",
    "ends_on": "2023-06-30",
    "team": [
        {"member_id": "snv-pgd-01", "name": "Nguyễn Văn An", "role": "head", "agency_code": "SNV"},
        {
            "member_id": "snv-cchc-07",
            "name": "Trần Thị Bình",
            "role": "secretary",
            "agency_code": "SNV",
        },
    ],
    "visits": [
        {
            "visit_id": _VISIT_ID,
            "initiative_id": _INITIATIVE_ID,
            "agency_code": "26740",
            "date": "2023-06-08",
            "starts_at": "08:30",
        },
    ],
}

# One realistic `data` per event (by schema_name): documented as `examples` and checked by tests.
EXAMPLES: dict[str, Mapping[str, Any]] = {
    "initiative.submitted.v1": {**_INITIATIVE, "initiative_id": _INITIATIVE_ID},
    "inbound.initiative.submitted.v1": _INITIATIVE,
    "initiative.amended.v1": {
        **_INITIATIVE,
        "initiative_id": _INITIATIVE_ID,
        "results": "99% hồ sơ giải quyết đúng hạn; mức hài lòng của người dân đạt 97%.",
        "amended_at": "2023-05-02T03:00:00Z",
    },
    "initiative.withdrawn.v1": {
        "initiative_id": _INITIATIVE_ID,
        "campaign_year": 2023,
        "agency_code": "26740",
        "reason": "Đơn vị đề xuất lại vào năm sau.",
        "withdrawn_at": "2023-05-20T08:00:00Z",
    },
    "draft.reminder_due.v1": {
        "draft_id": "5f0c2b9e-3d41-4a8e-9b17-6c2e8d4f1a03",
        "campaign_year": 2023,
        "agency_code": "26740",
        "agency_email": "ubnd.pbennghe.q1@tphcm.gov.vn",
        "title": "Tổ công nghệ số cộng đồng hỗ trợ thủ tục hành chính",
        "submission_closes_on": "2023-10-31",
        "missing_fields": ["results"],
        "reminded_at": "2023-10-24T01:00:00Z",
    },
    "campaign.settings_changed.v1": {
        "campaign_year": 2023,
        "version": 2,
        "title": "Khảo sát mô hình, giải pháp, sáng kiến cải cách hành chính năm 2023",
        "submission_opens_on": "2023-01-01",
        "submission_closes_on": "2023-10-31",
        "survey_starts_on": "2023-06-01",
        "survey_ends_on": "2023-10-31",
        "plan_number": "1582/KH-SNV",
        "plan_signed_on": "2023-05-10",
        "secretary_scores": False,
        "changed_at": "2023-05-10T03:00:00Z",
    },
    "initiative.rejected.v1": {
        "origin_source": "https://motcua.hochiminhcity.gov.vn",
        "origin_id": "c7d8e9f0-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
        "errors": [
            {
                "field": "$.data.par_area",
                "message": "Input should be 'institutional', "
                "'procedures', 'organisation', 'civil_service', 'public_finance' or "
                "'digital_government'",
            },
            {"field": "$.data.title", "message": "Field required"},
        ],
    },
    "round.scheduled.v1": _ROUND,
    "round.rescheduled.v1": {
        **_ROUND,
        "ends_on": "2023-07-07",
        "reason": "Lùi lịch theo đề nghị của UBND Phường Bến Nghé.",
    },
    "round.cancelled.v1": {
        "round_id": _ROUND_ID,
        "campaign_year": 2023,
        "sequence": 1,
        "reason": "Trùng lịch kiểm tra công vụ.",
        "cancelled_at": "2023-06-01T01:00:00Z",
    },
    "evaluation.recorded.v1": {
        "evaluation_id": "9c8b7a6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "initiative_id": _INITIATIVE_ID,
        "round_id": _ROUND_ID,
        "visit_id": _VISIT_ID,
        "evaluator_id": "snv-pgd-01",
        "scores": [
            {"criterion": "effectiveness", "score": 36, "max_score": 40},
            {"criterion": "satisfaction", "score": 27.5, "max_score": 30},
            {"criterion": "replicability", "score": 25, "max_score": 30},
        ],
        "total": 88.5,
        "strengths": "Quy trình rõ ràng, công khai; người dân được hướng dẫn một lần.",
        "limitations": "Phụ thuộc vào nhân sự bộ phận một cửa.",
        "difficulties": "Phần mềm chưa kết nối với cơ sở dữ liệu dân cư.",
        "recommendation": "replicate",
        "recorded_at": "2023-06-08T04:15:00Z",
    },
    "replication.recommended.v1": {
        "initiative_id": _INITIATIVE_ID,
        "agency_code": "26740",
        "title": "Mô hình “Phường Bến Nghé không hẹn lần hai”",
        "kind": "model",
        "par_area": "procedures",
        "final_score": 87.25,
        "evaluation_count": 4,
        "scope": "commune_level",
        "rationale": "Hiệu quả cao, chi phí thấp, áp dụng được ở mọi phường, xã, thị trấn.",
        "decided_at": "2023-11-15T02:00:00Z",
        "campaign_year": 2023,
    },
    "selection.decided.v1": {
        "initiative_id": _INITIATIVE_ID,
        "campaign_year": 2023,
        "agency_code": "26740",
        "title": "Mô hình “Phường Bến Nghé không hẹn lần hai”",
        "kind": "model",
        "par_area": "procedures",
        "decision": "improve",
        "scope": None,
        "final_score": 64.5,
        "evaluation_count": 3,
        "rationale": "Cần bổ sung số liệu đo mức độ hài lòng trước khi đề xuất nhân rộng.",
        "overridden": False,
        "decided_at": "2023-11-15T02:00:00Z",
    },
    "par_index_contribution.updated.v1": {
        "campaign_year": 2023,
        "agency_code": "760",
        "version": 7,
        "submitted": 4,
        "surveyed": 3,
        "recommended": 1,
        "mean_score": 82.5,
        "points": 3.0,
        "rule": {
            "per_submitted": 0.5,
            "per_surveyed": 0.5,
            "per_recommended": 1.0,
            "cap": 3.0,
            "district_counts_wards": True,
            "final_score_method": "mean",
        },
        "computed_at": "2023-11-15T02:00:00Z",
    },
    "replication.decided.v1": {
        "decision_id": "6f1c2b7a-3d4e-4f5a-8b9c-0d1e2f3a4b5c",
        "decision_number": "4821/QĐ-UBND",
        "signed_on": "2023-12-20",
        "signer_name": "Phan Văn Mãi",
        "signer_title": "CHỦ TỊCH",
        "campaign_year": 2023,
        "models": [
            {
                "initiative_id": _INITIATIVE_ID,
                "campaign_year": 2023,
                "agency_code": "26740",
                "title": _INITIATIVE["title"],
                "kind": "model",
                "par_area": "procedures",
                "scope": "commune_level",
                "targets": ["26734", "26737", "26743"],
                "deadline": "2024-12-31",
            }
        ],
        "recorded_at": "2023-12-22T03:00:00Z",
    },
    "adoption.reported.v1": {
        "report_id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "decision_id": "6f1c2b7a-3d4e-4f5a-8b9c-0d1e2f3a4b5c",
        "initiative_id": _INITIATIVE_ID,
        "agency_code": "26743",
        "quarter": "2024-Q2",
        "revision": 1,
        "status": "adopted",
        "reason": "",
        "started_on": "2024-04-01",
        "adaptation": "Bố trí thêm một công chức hướng dẫn hồ sơ vào buổi sáng thứ Bảy.",
        "indicators": {
            "measured_from": "2024-04-01",
            "measured_to": "2024-06-30",
            "processing_days_before": 5.0,
            "processing_days_after": 2.5,
            "satisfaction_percent": 95.5,
            "cases_handled": 1240,
        },
        "late": False,
        "reported_at": "2024-07-08T02:00:00Z",
    },
}


class _ContractJsonSchema(GenerateJsonSchema):
    """Pydantic's generator, plus what our validators enforce beyond the plain types."""

    def function_after_schema(
        self, schema: core_schema.AfterValidatorFunctionSchema
    ) -> JsonSchemaValue:
        json_schema = super().function_after_schema(schema)
        rule = _TEXT_RULES.get(schema["function"]["function"])  # type: ignore[arg-type]
        if rule is not None:
            json_schema = {**json_schema, "pattern": rule[0], "description": rule[1]}
        return json_schema

    def time_schema(self, schema: core_schema.TimeSchema) -> JsonSchemaValue:
        # JSON Schema's "time" format demands a UTC offset; ours are local (Vietnam) times.
        return {
            "type": "string",
            "pattern": LOCAL_TIME_PATTERN,
            "description": "Local time in Vietnam (UTC+7), HH:MM or HH:MM:SS.",
        }


def _describe_fields(schema: dict[str, Any]) -> None:
    objects = [schema, *schema.get("$defs", {}).values()]
    for obj in objects:
        for name, prop in obj.get("properties", {}).items():
            known = _FIELD_DESCRIPTIONS.get(name)
            if known is not None:
                prop["description"] = (
                    f"{known} {prop['description']}" if "description" in prop else known
                )


def title_of(event: type[EventData]) -> str:
    """'InitiativeSubmittedV1' -> 'InitiativeSubmitted v1'."""
    stem, _, version = event.__name__.rpartition("V")
    return f"{stem} v{version}" if version.isdigit() else event.__name__


def example_of(event: type[EventData]) -> EventData | None:
    """The documented example of ``event``'s data, validated by its model."""
    example = EXAMPLES.get(event.schema_name)
    return None if example is None else event.model_validate(example)


def data_schema(event: type[EventData]) -> dict[str, Any]:
    """The JSON Schema of ``event``'s data, with ``$id`` = its CloudEvents ``dataschema``."""
    schema = event.model_json_schema(mode="validation", schema_generator=_ContractJsonSchema)
    _describe_fields(schema)
    description = event.description
    if event.schema_name in DESCRIPTIONS_VI:
        description += f"\n\n{DESCRIPTIONS_VI[event.schema_name]}"
    description += (
        f"\n\nThe `data` of CloudEvents type `{event.event_type()}`, published on exchange "
        f"`{event.exchange}` with routing key `{event.routing_key}`."
    )
    schema.update(
        {
            "$schema": DIALECT,
            "$id": event.dataschema(),
            "title": f"{title_of(event)} (data)",
            "description": description,
        }
    )
    example = example_of(event)
    if example is not None:
        schema["examples"] = [example.model_dump(mode="json")]
    return schema


def envelope_schema() -> dict[str, Any]:
    """The CloudEvents 1.0 envelope every message body is (structured JSON mode)."""
    return {
        "$schema": DIALECT,
        "$id": ENVELOPE_SCHEMA_ID,
        "title": "CloudEvents 1.0 envelope (structured JSON mode)",
        "description": (
            "The body of every message on the CCHC bus, content type "
            "`application/cloudevents+json`. The AMQP `message_id` equals `id`; messages are "
            "persistent. Consumers ignore attributes and `data` fields they do not know."
            "\n\nPhong bì CloudEvents 1.0 của mọi thông điệp trên trục sự kiện CCHC."
        ),
        "type": "object",
        "required": [
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "datacontenttype",
            "dataschema",
            "data",
        ],
        "properties": {
            "specversion": {"const": SPEC_VERSION, "description": "CloudEvents version."},
            "id": {
                "type": "string",
                "format": "uuid",
                "description": (
                    "Event id, a UUID unique per `source`; also the AMQP `message_id`. "
                    "A (`source`, `id`) received twice is processed once."
                ),
            },
            "source": {
                "type": "string",
                "format": "uri-reference",
                "minLength": 1,
                "maxLength": 500,
                "description": (
                    "`/cchc/<service>` for the platform's own events; a URI naming the "
                    "publishing platform for inbound ones."
                ),
            },
            "type": {
                "type": "string",
                "pattern": TYPE_PATTERN,
                "maxLength": 200,
                "description": f"`{TYPE_PREFIX}` + the routing key, e.g. "
                f"`{TYPE_PREFIX}initiative.submitted.v1`.",
            },
            "subject": {
                "type": "string",
                "maxLength": 500,
                "description": "What the event is about; see each event's documentation.",
            },
            "time": {
                "type": "string",
                "format": "date-time",
                "description": "When it happened, RFC 3339 in UTC (e.g. `2023-06-08T04:15:00Z`).",
            },
            "datacontenttype": {"const": "application/json"},
            "dataschema": {
                "type": "string",
                "format": "uri",
                "description": "URI (`$id`) of the JSON Schema of `data`.",
            },
            "data": {"type": "object", "description": "The event data, per `dataschema`."},
        },
    }


def dump(document: Mapping[str, Any]) -> str:
    """Stable JSON text of a generated document."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_schemas() -> dict[str, str]:
    """File name -> text of every schema under docs/events/."""
    files = {f"{event.schema_name}.json": dump(data_schema(event)) for event in EVENTS}
    files[f"{ENVELOPE_SCHEMA_NAME}.json"] = dump(envelope_schema())
    return dict(sorted(files.items()))


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; returns the files whose content changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in render_schemas().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed

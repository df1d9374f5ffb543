"""The OpenAPI 3.1 document of /api/v1, written to match views.py and serialize.py exactly.

tests/api/test_openapi.py validates every response of the API tests against it (jsonschema) and
runs schemathesis over it; response schemas forbid unknown properties so drift is caught.
"""

from __future__ import annotations

from typing import Any

from tracker.constants import ASSIGNMENT_ROLES, STATES, UPDATE_KINDS
from tracker.directives.fields import FIELDS
from tracker.directives.listing import MAX_PER_PAGE, MAX_QUERY_LENGTH, SORTS
from tracker.directives.status import Bucket

MAX_TEXT = 20_000


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
STATUS_PROPS = {
    "bucket": {"type": "string", "enum": [b.value for b in Bucket]},
    "bucket_label": {"type": "string"},
    "days_overdue": {"type": "integer", "minimum": 0},
}
UNIT_REF = {"id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}}
ASSIGNMENT_PROPS = {
    "id": {"type": "integer"},
    "unit": _ref("UnitRef"),
    "role": {"type": "string", "enum": list(ASSIGNMENT_ROLES)},
    "role_label": {"type": "string"},
    "deadline": _nullable("string", format="date"),
    "extended_deadline": _nullable("string", format="date"),
    "state": {"type": "string", "enum": list(STATES)},
    "state_label": {"type": "string"},
    "percent": {"type": "integer", "minimum": 0, "maximum": 100},
    "version": {"type": "integer"},
    "last_update_at": _nullable("string", format="date-time"),
    **STATUS_PROPS,
}
PAGE_PROPS = {
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1},
    "total": {"type": "integer", "minimum": 0},
    "pages": {"type": "integer", "minimum": 0},
    "period": {"type": "string"},
    "as_of": DATE,
    "against": {"type": "string", "enum": ["extended", "original"]},
}
DIRECTIVE_REF = {
    "id": {"type": "integer"},
    "number": {"type": "string"},
    "title": {"type": "string"},
    "period": {"type": "string"},
    "url": _nullable("string"),
}

SCHEMAS: dict[str, Any] = {
    "Error": _obj({"error": {"type": "string"}, "status": {"type": "integer"}}),
    "Conflict": _obj(
        {"error": {"type": "string"}, "status": {"type": "integer"}, "current": {"type": "object"}},
        ["error", "status"],
    ),
    "Period": _obj(
        {
            "key": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
            "label": {"type": "string"},
            "year": {"type": "integer"},
            "month": {"type": "integer", "minimum": 1, "maximum": 12},
            "directives": {"type": "integer", "minimum": 0},
        },
        ["key", "label", "year", "month"],
    ),
    "UnitRef": _obj(UNIT_REF),
    "Attachment": _obj(
        {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "content_type": {"type": "string"},
            "size": {"type": "integer"},
        }
    ),
    "Update": _obj(
        {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(UPDATE_KINDS)},
            "kind_label": {"type": "string"},
            "created_at": DATETIME,
            "author": _nullable("string"),
            "percent": {"type": "integer", "minimum": 0, "maximum": 100},
            "result": {"type": "string"},
            "difficulties": {"type": "string"},
            "proposals": {"type": "string"},
            "attachments": {"type": "array", "items": _ref("Attachment")},
        }
    ),
    "Assignment": _obj(ASSIGNMENT_PROPS),
    "AssignmentWithUpdates": _obj(
        {**ASSIGNMENT_PROPS, "last_updates": {"type": "array", "items": _ref("Update")}}
    ),
    "AssignmentRow": _obj({**ASSIGNMENT_PROPS, "directive": _obj(DIRECTIVE_REF)}),
    "AssignmentDetail": _obj(
        {
            **ASSIGNMENT_PROPS,
            "directive": _obj(DIRECTIVE_REF),
            "updates": {"type": "array", "items": _ref("Update")},
            "as_of": DATE,
            "against": {"type": "string", "enum": ["extended", "original"]},
        }
    ),
    "DirectiveBrief": _obj(
        {
            "id": {"type": "integer"},
            "number": {"type": "string"},
            "title": {"type": "string"},
            "period": {"type": "string"},
            "field": {"type": "string"},
            "field_label": {"type": "string"},
            "deadline": _nullable("string", format="date"),
            "withdrawn": {"type": "boolean"},
            **STATUS_PROPS,
            "units": {
                "type": "array",
                "items": _obj(
                    {
                        **UNIT_REF,
                        "role": {"type": "string", "enum": list(ASSIGNMENT_ROLES)},
                        "assignment_id": {"type": "integer"},
                    }
                ),
            },
            "sub_directives": {
                "type": "array",
                "items": _obj(
                    {
                        "id": {"type": "integer"},
                        "number": {"type": "string"},
                        "title": {"type": "string"},
                        **STATUS_PROPS,
                    }
                ),
            },
            "url": _nullable("string"),
        }
    ),
    "SubDirective": _obj(
        {
            "id": {"type": "integer"},
            "number": {"type": "string"},
            "title": {"type": "string"},
            "text": {"type": "string"},
            "deadline": _nullable("string", format="date"),
            "withdrawn": {"type": "boolean"},
            **STATUS_PROPS,
            "assignments": {"type": "array", "items": _ref("AssignmentWithUpdates")},
        }
    ),
    "DirectiveDetail": _obj(
        {
            "id": {"type": "integer"},
            "number": {"type": "string"},
            "title": {"type": "string"},
            "text": {"type": "string"},
            "period": {"type": "string"},
            "parent_id": _nullable("integer"),
            "field": {"type": "string"},
            "field_label": {"type": "string"},
            "deadline": _nullable("string", format="date"),
            "withdrawn": {"type": "boolean"},
            "withdrawn_reason": _nullable("string"),
            **STATUS_PROPS,
            "assignments": {"type": "array", "items": _ref("AssignmentWithUpdates")},
            "sub_directives": {"type": "array", "items": _ref("SubDirective")},
            "url": _nullable("string"),
            "as_of": DATE,
            "against": {"type": "string", "enum": ["extended", "original"]},
        }
    ),
    "DirectivePage": _obj(
        {"items": {"type": "array", "items": _ref("DirectiveBrief")}, **PAGE_PROPS}
    ),
    "AssignmentPage": _obj(
        {"items": {"type": "array", "items": _ref("AssignmentRow")}, **PAGE_PROPS}
    ),
    "PeriodList": _obj({"items": {"type": "array", "items": _ref("Period")}}),
    "ProgressInput": {
        "type": "object",
        "description": "Các trường khác (unit, status, author...) bị bỏ qua.",
        "properties": {
            "percent": {"type": "integer", "minimum": 0, "maximum": 100},
            "result": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT,
                       "pattern": r"\S"},
            "difficulties": {"type": "string", "maxLength": MAX_TEXT},
            "proposals": {"type": "string", "maxLength": MAX_TEXT},
            "version": _nullable("integer", minimum=1, maximum=2**31),
            "report_done": {"type": "boolean"},
        },
        "required": ["percent", "result"],
    },
    "ProgressCreated": _obj({"update": _ref("Update"), "assignment": _ref("AssignmentRow")}),
}


def _error(description: str, name: str = "Error") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _ok(name: str, description: str = "OK", code: str = "200",
        links: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description,
                                "content": {"application/json": {"schema": _ref(name)}}}
    if links:
        response["links"] = links
    return {code: response}


def _link(operation_id: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link: how a client (and schemathesis's stateful run) goes on from here."""
    return {"operationId": operation_id, "parameters": parameters}


# What a client does next with what it got: open a directive from the list, an assignment from
# the list or from a directive, report progress on it, read it back.
LINKS = {
    "listDirectives": {"GetDirective": _link("getDirective",
                                             directive_id="$response.body#/items/0/id")},
    "getDirective": {
        "GetAssignment": _link("getAssignment",
                               assignment_id="$response.body#/assignments/0/id"),
        "PostProgress": _link("postProgress",
                              assignment_id="$response.body#/assignments/0/id"),
    },
    "listAssignments": {
        "GetAssignment": _link("getAssignment", assignment_id="$response.body#/items/0/id"),
        "PostProgress": _link("postProgress", assignment_id="$response.body#/items/0/id"),
    },
    "postProgress": {"GetAssignment": _link("getAssignment",
                                            assignment_id="$response.body#/assignment/id")},
}


ERRORS_READ = {
    "400": _error("Tham số không hợp lệ"),
    "401": _error("Chưa đăng nhập hoặc mã truy cập không hợp lệ"),
}


def _q(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An optional query parameter; sent empty it means its default, as the web forms send it."""
    if "enum" in schema:
        schema = {**schema, "enum": [*schema["enum"], ""]}
    elif schema.get("type") == "integer":
        schema = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


# Only days that exist, 2000-2100 (29/02 in leap years): a date the pattern admits is one the
# API accepts, and an impossible one (31/02) is refused by the document as by the API.
_YEAR = r"(?:20\d{2}|2100)"
_LEAP = r"20(?:[02468][048]|[13579][26])"
_DAY_MONTH = (r"(?:(?:0[1-9]|1\d|2[0-8])/(?:0[1-9]|1[0-2])|(?:29|30)/(?:0[13-9]|1[0-2])"
              r"|31/(?:0[13578]|1[02]))")
_MONTH_DAY = (r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
              r"|(?:0[13578]|1[02])-31)")
DATE_PATTERN = (
    rf"^(?:{_DAY_MONTH}/{_YEAR}|29/02/{_LEAP}|{_YEAR}-{_MONTH_DAY}|{_LEAP}-02-29)?$"
)
AS_OF_PARAMS = [
    _q("as_of", {"type": "string", "pattern": DATE_PATTERN},
       "Ngày tính tình trạng (dd/mm/yyyy, hoặc yyyy-mm-dd), để trống là hôm nay."),
    _q("against", {"type": "string", "enum": ["extended", "original"]},
       "Tính theo thời hạn đã gia hạn (mặc định) hay thời hạn ban đầu."),
]
PAGE_PARAMS = [
    _q("page", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "Trang, từ 1."),
    _q("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
       f"Số dòng mỗi trang (tối đa {MAX_PER_PAGE})."),
]
PERIOD_PATTERN = r"^(?:(?:20\d{2}|2100)(?:-(?:0[1-9]|1[0-2])|-Q[1-4]|-H[12])?|all)?$"
PERIOD_PARAM = _q("period", {"type": "string", "pattern": PERIOD_PATTERN},
                  "Kỳ: YYYY-MM (tháng), YYYY-Q1..Q4 (quý), YYYY-H1/H2 (6 tháng), YYYY (năm); "
                  "'all' cho mọi kỳ; mặc định kỳ hiện tại hoặc gần nhất.")
UNIT_PARAM = _q("unit", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                "Mã số (id) đơn vị.")
BUCKET_PARAM = _q("bucket", {"type": "string", "enum": [b.value for b in Bucket]}, "Tình trạng.")


def _id_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


def build_spec() -> dict[str, Any]:
    """The whole document, as a fresh dict."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Theo dõi nhiệm vụ - API",
            "version": "1.0.0",
            "description": (
                "Đọc nhiệm vụ, phân công và tình trạng; đơn vị báo cáo tiến độ. "
                "Xác thực bằng phiên đăng nhập (cookie, kèm X-CSRFToken khi gửi dữ liệu) "
                "hoặc mã truy cập: Authorization: Bearer <mã>."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        "paths": {
            "/periods": {"get": {
                "operationId": "listPeriods",
                "summary": "Các kỳ có nhiệm vụ, mới nhất trước",
                "responses": {**_ok("PeriodList"), "401": ERRORS_READ["401"]},
            }},
            "/directives": {"get": {
                "operationId": "listDirectives",
                "summary": "Danh sách nhiệm vụ (lọc như trang Tra cứu)",
                "parameters": [
                    PERIOD_PARAM,
                    _q("field", {"type": "string", "enum": [c for c, _ in FIELDS]}, "Lĩnh vực."),
                    UNIT_PARAM,
                    BUCKET_PARAM,
                    _q("q", {"type": "string", "maxLength": MAX_QUERY_LENGTH},
                       "Tìm kiếm, có hoặc không dấu."),
                    _q("sort", {"type": "string", "enum": list(SORTS)}, "Sắp xếp theo."),
                    _q("order", {"type": "string", "enum": ["asc", "desc"]}, "Chiều sắp xếp."),
                    *AS_OF_PARAMS,
                    *PAGE_PARAMS,
                ],
                "responses": {**_ok("DirectivePage", links=LINKS["listDirectives"]),
                              **ERRORS_READ},
            }},
            "/directives/{directive_id}": {"get": {
                "operationId": "getDirective",
                "summary": "Một nhiệm vụ với phân công, tình trạng và cập nhật gần nhất",
                "parameters": [_id_param("directive_id"), *AS_OF_PARAMS],
                "responses": {**_ok("DirectiveDetail", links=LINKS["getDirective"]),
                              **ERRORS_READ,
                              "404": _error("Không tìm thấy nhiệm vụ")},
            }},
            "/assignments": {"get": {
                "operationId": "listAssignments",
                "summary": "Danh sách phân công (lọc theo đơn vị, kỳ, tình trạng)",
                "parameters": [UNIT_PARAM, PERIOD_PARAM, BUCKET_PARAM, *AS_OF_PARAMS,
                               *PAGE_PARAMS],
                "responses": {**_ok("AssignmentPage", links=LINKS["listAssignments"]),
                              **ERRORS_READ},
            }},
            "/assignments/{assignment_id}": {"get": {
                "operationId": "getAssignment",
                "summary": "Một phân công với mọi báo cáo tiến độ",
                "parameters": [_id_param("assignment_id"), *AS_OF_PARAMS],
                "responses": {**_ok("AssignmentDetail"), **ERRORS_READ,
                              "404": _error("Không tìm thấy phân công")},
            }},
            "/assignments/{assignment_id}/progress": {"post": {
                "operationId": "postProgress",
                "summary": "Đơn vị báo cáo tiến độ (hoặc báo cáo hoàn thành)",
                "description": "Chỉ cán bộ của đơn vị được giao.",
                "parameters": [_id_param("assignment_id"), *AS_OF_PARAMS],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("ProgressInput")}}},
                "responses": {
                    **_ok("ProgressCreated", "Đã ghi nhận báo cáo", "201",
                          links=LINKS["postProgress"]),
                    "400": _error("Dữ liệu không hợp lệ"),
                    "401": ERRORS_READ["401"],
                    "403": _error("Không phải cán bộ của đơn vị được giao"),
                    "404": _error("Không tìm thấy phân công"),
                    "409": _error("Đã có người cập nhật trước, hoặc nhiệm vụ không còn mở",
                                  "Conflict"),
                    "413": _error("Dữ liệu gửi lên quá lớn"),
                },
            }},
            "/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "Tài liệu OpenAPI này",
                "responses": {
                    "200": {"description": "OK",
                            "content": {"application/json": {"schema": {"type": "object"}}}},
                    "401": ERRORS_READ["401"],
                },
            }},
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "Mã truy cập do quản trị cấp cho từng người dùng."},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }

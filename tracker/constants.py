"""The domain's words, defined once: user roles, assignment roles, workflow states and the kinds
of progress records, each with the Vietnamese label users read (DESIGN.md §2-§3).

Models, services, pages, e-mails and the API import them from here; nothing else defines them.
"""

from __future__ import annotations

# --- user roles (who is signed in) ---------------------------------------------------------
ADMIN = "admin"
LEADER = "leader"
SECRETARIAT = "secretariat"
OFFICER = "officer"
VIEWER = "viewer"

USER_ROLES: dict[str, str] = {
    ADMIN: "Quản trị hệ thống",
    LEADER: "Lãnh đạo UBND",
    SECRETARIAT: "Văn phòng (tổng hợp)",
    OFFICER: "Cán bộ đơn vị",
    VIEWER: "Người xem",
}

# --- assignment roles (what a unit does on a directive) -------------------------------------
LEAD = "lead"
SUPPORT = "support"
ASSIGNMENT_ROLES: dict[str, str] = {LEAD: "Chủ trì", SUPPORT: "Phối hợp"}

# --- workflow state of an assignment (stored; the status bucket is computed as of a day) ---
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
AWAITING_CONFIRMATION = "awaiting_confirmation"
DONE = "done"
WITHDRAWN = "withdrawn"
STATES: dict[str, str] = {
    NOT_STARTED: "Chưa triển khai",
    IN_PROGRESS: "Đang thực hiện",
    AWAITING_CONFIRMATION: "Chờ xác nhận hoàn thành",
    DONE: "Hoàn thành",
    WITHDRAWN: "Đã rút",
}

# --- extension requests ---------------------------------------------------------------------
PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
EXTENSION_STATUSES: dict[str, str] = {
    PENDING: "Chờ quyết định",
    APPROVED: "Đã đồng ý",
    REJECTED: "Không đồng ý",
}

# --- what a progress record is -------------------------------------------------------------
PROGRESS = "progress"
COMPLETION = "completion"
CONFIRMED = "confirmed"
RETURNED = "returned"
UPDATE_KINDS: dict[str, str] = {
    PROGRESS: "Báo cáo tiến độ",
    COMPLETION: "Báo cáo hoàn thành",
    CONFIRMED: "Xác nhận hoàn thành",
    RETURNED: "Trả lại, yêu cầu tiếp tục",
}

"""Every model module, imported once so SQLAlchemy and Alembic see all tables."""

from tracker.admin.models import OnboardingDraft  # noqa: F401
from tracker.auth.models import LoginAttempt, User  # noqa: F401
from tracker.calendar.models import CalendarException  # noqa: F401
from tracker.core.models import AuditEvent, DataVersion, Setting  # noqa: F401
from tracker.directives.models import (  # noqa: F401
    Assignment,
    Attachment,
    Directive,
    ExtensionRequest,
    Period,
    ProgressUpdate,
    SourceDocument,
)
from tracker.intake.models import ImportDraft, RoutingRule  # noqa: F401
from tracker.organization.models import Organization  # noqa: F401
from tracker.reminders.models import OutboxMessage, ReminderLog  # noqa: F401
from tracker.reports.models import Report, ReportFile  # noqa: F401
from tracker.units.models import Unit, UnitSuccession  # noqa: F401
from tracker.work.models import FeedToken, Notification  # noqa: F401

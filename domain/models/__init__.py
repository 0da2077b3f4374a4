"""The SQLAlchemy models, one module per area. Everything is re-exported here, so callers import
`from domain.models import X`; importing this package registers every table on `Base.metadata`."""

from domain.models.accounts import (
    AuthSession,
    ClientProfile,
    PhoneLock,
    RealNameVerification,
    SmsCode,
    User,
)
from domain.models.artists import (
    ArtistManager,
    ArtistPrice,
    ArtistProfile,
    ArtistProfileDraft,
    ArtistTag,
    CalendarSlot,
    CaseMedia,
    MediaCase,
    Qualification,
    Tag,
    TeamInvitation,
)
from domain.models.audit import AuditLog, Role
from domain.models.backups import Backup
from domain.models.base import Base
from domain.models.bookings import (
    Booking,
    BookingEvent,
    Contract,
    Dispute,
    Inquiry,
    Notification,
)
from domain.models.chat import ChatConversation, ChatMember, ChatMessage
from domain.models.content import (
    Demand,
    DemandResponse,
    FavoriteArtist,
    FavoriteDemand,
    Review,
    Upload,
)
from domain.models.contracts import (
    ContractDocument,
    ContractSignCode,
    ContractTemplate,
    SignatureEvidence,
)
from domain.models.disputes import DisputeStatement
from domain.models.homepage import Announcement, HomeBanner, HomeRecommendation
from domain.models.ledger import (
    JournalEntry,
    JournalLine,
)
from domain.models.notifications import NotificationDelivery, NotificationSetting
from domain.models.operators import (
    AccountStatusChange,
    LoginThrottle,
    Operator,
    SystemSetting,
)
from domain.models.payments import (
    PaymentNotification,
    PaymentOrder,
    Payout,
    Penalty,
    Refund,
)
from domain.models.payouts import (
    ArtistPayoutAccount,
    PayoutBatch,
    PayoutBatchLine,
)
from domain.models.reconciliation import (
    ReconciliationDifference,
    ReconciliationRun,
)
from domain.models.search import (
    SearchOutbox,
)
from domain.models.support import Complaint, ComplaintReply, HelpArticle
from domain.models.system import SettingChange

__all__ = [
    "Announcement",
    "AccountStatusChange",
    "ArtistManager",
    "ArtistPayoutAccount",
    "ArtistPrice",
    "ArtistProfile",
    "ArtistProfileDraft",
    "ArtistTag",
    "AuditLog",
    "AuthSession",
    "Backup",
    "Base",
    "Booking",
    "BookingEvent",
    "CalendarSlot",
    "CaseMedia",
    "ChatConversation",
    "ChatMember",
    "ChatMessage",
    "Complaint",
    "ComplaintReply",
    "ClientProfile",
    "Contract",
    "ContractDocument",
    "ContractSignCode",
    "ContractTemplate",
    "Demand",
    "DemandResponse",
    "Dispute",
    "DisputeStatement",
    "FavoriteArtist",
    "FavoriteDemand",
    "HelpArticle",
    "HomeBanner",
    "HomeRecommendation",
    "Inquiry",
    "JournalEntry",
    "JournalLine",
    "LoginThrottle",
    "MediaCase",
    "Notification",
    "NotificationDelivery",
    "NotificationSetting",
    "Operator",
    "PaymentNotification",
    "PaymentOrder",
    "Payout",
    "PayoutBatch",
    "PayoutBatchLine",
    "Penalty",
    "PhoneLock",
    "Qualification",
    "RealNameVerification",
    "ReconciliationDifference",
    "ReconciliationRun",
    "Refund",
    "Review",
    "Role",
    "SearchOutbox",
    "SettingChange",
    "SignatureEvidence",
    "SmsCode",
    "SystemSetting",
    "Tag",
    "TeamInvitation",
    "Upload",
    "User",
]

"""艺人入驻审核: a new artist is not public until an operator approves the first profile.

Registration (domain.accounts.users.save_artist_profile) creates the profile and submits it at once as a draft
(`artist_profile_drafts`, status pending), so the first profile goes through the same queue and decisions as every
later edit (domain.profiles: /admin/profile-reviews, approve / reject with a reason). The profile is public —
in search, on the artist page, among favourites and bookable — from its first approval on (`approved_at`);
a rejection leaves it hidden, the artist edits and submits again.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.models import ArtistProfile, ArtistProfileDraft
from domain.time import utc_now


def listed_artist() -> ColumnElement[bool]:
    """The condition every public view of artists applies (with the account not banned): approved once."""
    return ArtistProfile.approved_at.is_not(None)


def is_listed(profile: ArtistProfile) -> bool:
    return profile.approved_at is not None


def open_application(session: Session, profile: ArtistProfile) -> None:
    """Put a newly registered profile in the review queue: a pending draft holding what registration asked for
    (the artist may complete the draft — bio, prices, avatar — and submit again before the operator decides)."""
    now = utc_now()
    data = {
        "stage_name": profile.stage_name, "avatar_upload_id": None, "artist_types": list(profile.artist_types),
        "styles": list(profile.styles or ()), "city": profile.city, "regions": [], "active_since_year": None,
        "bio": profile.bio or "", "works": [], "team": [], "prices": [], "travel_terms": "",
    }
    session.execute(insert(ArtistProfileDraft)
                    .values(artist_id=profile.user_id, data=data, status="pending", submitted_at=now, updated_at=now)
                    .on_conflict_do_nothing(index_elements=[ArtistProfileDraft.artist_id]))

"""Artist profile drafts and their review, privacy settings, tags and qualification documents."""

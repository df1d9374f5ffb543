"""Administration pages: users and units (admin only)."""

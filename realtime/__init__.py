"""Real-time fan-out between API processes: one interface, PostgreSQL LISTEN/NOTIFY (embedded default) or Redis
pub/sub (production), chosen by configuration."""

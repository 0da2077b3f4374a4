"""系统设置: the platform rules operators change (with validation and history) and the integration status."""

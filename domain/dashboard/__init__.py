"""数据看板: the console's home-page figures and charts (domain.dashboard.service)."""

"""Notifications that reach people: the in-app centre, each user's channel settings, delivery per channel."""

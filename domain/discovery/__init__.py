"""Discovery: favorites (意向艺人, saved demands) and demand posts (需求)."""

"""Fault tests: the platform's processes killed and restarted mid-flight; each asserts nothing lost and nothing
done twice."""

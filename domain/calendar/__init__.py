"""The artist calendar (档期): the artist's own rest/unavailable/available marks and the booking holds."""

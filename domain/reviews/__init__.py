"""Reviews (评价) of completed bookings by their clients, the artist's reply, and rating aggregates."""

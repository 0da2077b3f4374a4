"""Chat between a client and an artist (one conversation per pair): messages, reads, masking, search."""

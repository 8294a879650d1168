"""Shared pieces of the open JSON API (/api/v1): errors, parameter parsing, envelopes."""

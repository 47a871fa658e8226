"""The website intake API, mounted under /api/v1/ (decision 0075).

keys: website clients' keys (issue, rotate, authenticate). services: the
writes each endpoint makes. views: DRF views that parse, authenticate,
rate-limit, replay by event id, call one service and log the call.
"""

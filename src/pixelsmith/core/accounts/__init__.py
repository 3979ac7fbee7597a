"""Accounts: users with argon2id passwords, server-side sessions, roles and the pages and API
that manage them (issue 13). Identity resolution lives in core.web.identity."""

"""Accounts and roles: who may write what. :mod:`.accounts` keeps local accounts in the store (argon2id
hashes, disabling, failed-login locks); :mod:`.scope` says what a role and scope cover (department
presets, facility groups); :mod:`.guard` is the check every write funnel calls. Off (every write
allowed, ``user`` a free-text name) unless ``ONEMAP_AUTH`` is set or an account exists in the store."""

"""The roster: streamers, their platform accounts and level history."""

"""我的考核: a streamer's own scorecard (the running quarter, finalized quarters, what-if,
promotion checklist, sessions), their acknowledgement or dispute of a finalized quarter, and
HR's side of it (the dispute inbox, logins for many streamers at once)."""

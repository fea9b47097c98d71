"""Demo data: a realistic agency (streamers, rooms, a year of sessions, training, logins).

`hrapp demo load` fills an empty database so that every page has something true to show.
"""

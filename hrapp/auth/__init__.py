"""Users, roles, login and the permission checks every other feature uses."""

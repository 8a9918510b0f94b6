"""The replication service: the People's Committee's Quyết định recognising recommended
initiatives, and the target agencies' quarterly reports on adopting them."""

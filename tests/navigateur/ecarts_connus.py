"""The pages' defects found by the journeys and already reported (issue 18, items 6 and 9):
(kind of page, rule). A journey fails on any other; remove a line when its page is fixed."""

ECARTS_CONNUS: set[tuple[str, str]] = set()

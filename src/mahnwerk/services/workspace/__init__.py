"""The agent's desk: the work queue, the case page, calls, and the workflow (disputes, plans,
flags, approvals, tasks).
"""

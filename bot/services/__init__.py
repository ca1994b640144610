"""Services: the rules. Handlers and jobs call these; these call storage and queue messages."""
